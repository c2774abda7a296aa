"""Resident ID, phone and email validation, and pinyin keys."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.conftest import resident_id
from guanxi.customers.identity import (
    national_phone,
    normalise_email,
    normalise_phone,
    parse_resident_id,
)
from guanxi.customers.pinyin import initials_key, pinyin_key


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_resident_id_fills_birthday_and_gender():
    number = resident_id(date(1990, 2, 28), male=False)
    parsed = parse_resident_id(number.lower())
    assert parsed.birthday == date(1990, 2, 28)
    assert parsed.gender == "female"
    assert parsed.number == number.upper()


def test_resident_id_with_wrong_check_digit_names_the_check_digit():
    number = resident_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        parse_resident_id(wrong)
    assert "check digit" in exc.value.message_dict["id_number"][0]


def test_resident_id_with_impossible_birth_date_is_refused():
    from stdnum.cn import ric

    body = "11010519901331123"  # month 13
    with pytest.raises(ValidationError) as exc:
        parse_resident_id(body + ric.calc_check_digit(body + "0"))
    assert "birth date" in exc.value.message_dict["id_number"][0]


def test_resident_id_of_wrong_length_is_refused():
    with pytest.raises(ValidationError):
        parse_resident_id("12345")


def test_phone_is_normalised_to_e164_and_back():
    assert normalise_phone("138 1234 5678") == "+8613812345678"
    assert normalise_phone("+86-138-1234-5678") == "+8613812345678"
    assert national_phone("+8613812345678") == "13812345678"


@pytest.mark.parametrize("bad", ["12345", "abc", "1381234567", "10012345678"])
def test_invalid_phone_is_refused(bad):
    with pytest.raises(ValidationError) as exc:
        normalise_phone(bad)
    assert "phone" in exc.value.message_dict


def test_email_is_lowercased_and_validated():
    assert normalise_email(" Zhang.San@Example.COM ") == "zhang.san@example.com"
    with pytest.raises(ValidationError):
        normalise_email("not-an-email")


def test_pinyin_keys():
    assert pinyin_key("张三") == "zhangsan"
    assert initials_key("张三") == "zs"
    assert pinyin_key("欧阳娜娜") == "ouyangnana"
    assert initials_key("欧阳娜娜") == "oynn"
