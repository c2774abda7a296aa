"""Chinese names drawn in bulk from Faker's zh_CN lists, with their pinyin search keys.

Faker is asked once for its name lists; names are then sampled as index arrays with numpy.
Pinyin keys are computed once per distinct name piece (surname, given name, company word)
and concatenated, which equals ``pinyin_key`` of the whole name unless pypinyin's phrase
segmentation could cross a piece boundary; those few names get the exact computation.
"""

from dataclasses import dataclass, field

import numpy as np
from faker.providers.person.zh_CN import Provider as PersonProvider
from pypinyin.seg.mmseg import p_set

from guanxi.customers.pinyin import initials_key, pinyin_key

# Share of given names that are two characters long: most Chinese given names today are.
TWO_CHARACTER_SHARE = 0.7


@dataclass
class PieceKeys:
    """Pinyin and initials of name pieces, computed once per distinct piece."""

    _keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    def of(self, text: str) -> tuple[str, str]:
        """The (pinyin, initials) pair of a piece of text."""
        keys = self._keys.get(text)
        if keys is None:
            keys = self._keys[text] = (pinyin_key(text), initials_key(text))
        return keys


def _boundary_is_safe(head: str, tail: str) -> bool:
    """Whether pypinyin segments ``head + tail`` exactly as ``head`` and ``tail`` apart.

    pypinyin cuts text into dictionary phrases by forward maximum matching. If no prefix of
    a phrase spans the boundary and no multi-character end of ``head`` is itself a phrase
    prefix, the cut of the joined text is the two cuts side by side.
    """
    for start in range(len(head)):
        suffix = head[start:]
        if len(suffix) > 1 and suffix in p_set:
            return False
        if any(suffix + tail[:end] in p_set for end in range(1, len(tail) + 1)):
            return False
    return True


def compose_keys(pieces: list[list[str]], cache: PieceKeys) -> tuple[list[str], list[str]]:
    """Pinyin and initials keys of names given as rows of pieces (all rows of equal length)."""
    pinyins, initials = [], []
    for row in pieces:
        name = "".join(row)
        safe = all(
            _boundary_is_safe("".join(row[:i]), row[i]) for i in range(1, len(row)) if row[i]
        )
        if safe:
            keys = [cache.of(piece) for piece in row if piece]
            pinyins.append("".join(k[0] for k in keys))
            initials.append("".join(k[1] for k in keys))
        else:
            pinyins.append(pinyin_key(name))
            initials.append(initials_key(name))
    return pinyins, initials


class NamePool:
    """Faker's zh_CN surnames (with their frequencies) and given names by gender."""

    def __init__(self) -> None:
        self.surnames = np.array(list(PersonProvider.last_names), dtype=object)
        weights = np.array(list(PersonProvider.last_names.values()), dtype=float)
        self.surname_weights = weights / weights.sum()
        self.given = {
            True: self._given_vocabulary(PersonProvider.first_names_male),
            False: self._given_vocabulary(PersonProvider.first_names_female),
        }
        self.keys = PieceKeys()
        self._pair_keys: dict[tuple[str, str], tuple[str, str]] = {}

    @staticmethod
    def _given_vocabulary(names) -> tuple[np.ndarray, np.ndarray]:
        """Faker's given names, and two-character names built from its single characters."""
        listed = np.array(list(names), dtype=object)
        singles = [n for n in names if len(n) == 1]
        combined = np.array([a + b for a in singles for b in singles], dtype=object)
        return listed, combined

    def draw(self, rng: np.random.Generator, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Surnames and given names for people of the given genders."""
        surnames = self.surnames[rng.choice(self.surnames.size, male.size, p=self.surname_weights)]
        given = np.empty(male.size, dtype=object)
        two = rng.random(male.size) < TWO_CHARACTER_SHARE
        for gender in (True, False):
            listed, combined = self.given[gender]
            for mask, vocabulary in ((~two, listed), (two, combined)):
                rows = np.flatnonzero(mask & (male == gender))
                given[rows] = vocabulary[rng.integers(0, vocabulary.size, rows.size)]
        return surnames, given

    def person_keys(self, surnames: np.ndarray, given: np.ndarray) -> tuple[list[str], list[str]]:
        """Pinyin and initials keys of people's names, one computation per distinct name."""
        pairs = list(zip(surnames.tolist(), given.tolist(), strict=True))
        missing = list({pair for pair in pairs if pair not in self._pair_keys})
        if missing:
            pinyins, initials = compose_keys([list(p) for p in missing], self.keys)
            self._pair_keys.update(zip(missing, zip(pinyins, initials, strict=True), strict=True))
        found = [self._pair_keys[pair] for pair in pairs]
        return [k[0] for k in found], [k[1] for k in found]
