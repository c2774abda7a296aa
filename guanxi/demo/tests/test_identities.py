"""Resident IDs and mobile numbers generated in bulk are valid one by one."""

import numpy as np
from stdnum.cn import ric

from guanxi.customers.identity import normalise_phone, parse_resident_id
from guanxi.demo.identities import mobile_numbers, resident_ids
from guanxi.demo.places import CITIES
from guanxi.demo.regions import region_table


def test_resident_ids_validate_and_carry_birthday_and_gender():
    rng = np.random.default_rng(1)
    size = 2000
    born = (np.datetime64("1941-01-01") + rng.integers(0, 24_000, size)).astype("datetime64[D]")
    male = rng.random(size) < 0.5
    regions = region_table()
    city = rng.integers(0, len(CITIES), size)
    year = born.astype("datetime64[Y]").astype(int) + 1970
    rows = [regions.rows_under(c.region_prefix) for c in CITIES]
    region = regions.draw_birthplaces(rng, city_rows=rows, city=city, year=year)
    for number, birthday, is_male in zip(
        resident_ids(region, born, male, rng), born, male, strict=True
    ):
        parsed = parse_resident_id(number)
        assert ric.validate(number) == number
        assert parsed.birthday == birthday.item()
        assert parsed.gender == ("male" if is_male else "female")


def test_check_digit_x_is_produced_and_valid():
    rng = np.random.default_rng(7)
    born = np.full(500, np.datetime64("1985-06-15", "D"))
    numbers = resident_ids(np.full(500, 110105), born, np.ones(500, dtype=bool), rng)
    with_x = [n for n in numbers if n.endswith("X")]
    assert with_x
    assert all(ric.is_valid(n) for n in with_x)


def test_mobile_numbers_are_stored_as_normalise_phone_would():
    phones, last4 = mobile_numbers(np.random.default_rng(3), 3000)
    for phone, tail in zip(phones, last4, strict=True):
        assert normalise_phone(phone) == phone
        assert normalise_phone(phone[3:]) == phone
        assert phone[-4:] == tail


def test_birthplaces_exist_in_the_birth_year_and_mostly_in_the_city():
    rng = np.random.default_rng(5)
    regions = region_table()
    rows = [regions.rows_under(c.region_prefix) for c in CITIES]
    city = np.zeros(1000, dtype=int)  # Beijing
    year = rng.integers(1941, 2008, 1000)
    codes = regions.draw_birthplaces(rng, city_rows=rows, city=city, year=year)
    for code, born in zip(codes, year, strict=True):
        assert ric.is_valid(_with_check(f"{code}{born}0101001"))
    assert np.mean(codes // 100 == 1101) > 0.4


def _with_check(body: str) -> str:
    return body + ric.calc_check_digit(body + "0")
