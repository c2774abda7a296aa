"""Pinyin keys computed from name pieces equal the keys of the whole name."""

import numpy as np

from guanxi.customers.pinyin import initials_key, pinyin_key
from guanxi.demo.names import NamePool, PieceKeys, _boundary_is_safe, compose_keys


def test_person_keys_equal_pinyin_of_the_whole_name():
    pool = NamePool()
    rng = np.random.default_rng(11)
    surnames, given = pool.draw(rng, rng.random(5000) < 0.5)
    pinyins, initials = pool.person_keys(surnames, given)
    for surname, first, pinyin, initial in zip(surnames, given, pinyins, initials, strict=True):
        assert pinyin == pinyin_key(surname + first)
        assert initial == initials_key(surname + first)


def test_names_whose_phrases_cross_the_boundary_are_computed_whole():
    pool = NamePool()
    risky = [
        (surname, first)
        for surname in pool.surnames[:60]
        for first in pool.given[True][0]
        if not _boundary_is_safe(surname, first)
    ]
    assert risky
    pinyins, initials = compose_keys([list(pair) for pair in risky], PieceKeys())
    assert pinyins == [pinyin_key("".join(pair)) for pair in risky]
    assert initials == [initials_key("".join(pair)) for pair in risky]


def test_company_names_from_several_pieces():
    pieces = [["北京", "华信", "科技", "有限公司"], ["重庆", "银行", "贸易", "股份有限公司"]]
    pinyins, initials = compose_keys(pieces, PieceKeys())
    assert pinyins == [pinyin_key("".join(p)) for p in pieces]
    assert initials == [initials_key("".join(p)) for p in pieces]


def test_given_names_are_one_or_two_characters_and_gendered():
    pool = NamePool()
    rng = np.random.default_rng(2)
    male = rng.random(2000) < 0.5
    _surnames, given = pool.draw(rng, male)
    assert {len(g) for g in given} == {1, 2}
    female_only = set(pool.given[False][0]) - set(pool.given[True][0])
    assert not any(g in female_only for g in given[male])
