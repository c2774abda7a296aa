"""Days that come back every year: a birthday on 29 February falls on 28 February in a
year without it, and the filter finds the customers whose day it is."""

from datetime import date

import pytest

from guanxi.conftest import resident_id
from guanxi.customers.models import Customer
from guanxi.customers.yearly_days import celebrated_on, dates_falling_on


@pytest.mark.parametrize(
    ("year", "expected"), [(2027, date(2027, 2, 28)), (2028, date(2028, 2, 29))]
)
def test_a_leap_day_comes_back_on_the_last_day_of_february(year, expected):
    assert celebrated_on(date(2000, 2, 29), year) == expected


@pytest.mark.parametrize(
    ("day", "found"),
    [(date(2027, 2, 28), True), (date(2028, 2, 28), False), (date(2028, 2, 29), True),
     (date(2027, 3, 1), False)],
)  # fmt: skip
def test_a_customer_born_on_a_leap_day_is_found_on_the_day_it_comes_back(make_customer, day, found):
    born = make_customer("闰日", id_number=resident_id(date(2000, 2, 29)))
    matched = Customer.objects.filter(dates_falling_on([day], "birthday"))
    assert list(matched.values_list("pk", flat=True)) == ([born.pk] if found else [])
