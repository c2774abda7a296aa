"""Record page URLs put together around the id are the URLs Django reverses."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from guanxi.web.record_urls import record_url

NAMES = ["customers:detail", "sales:detail", "sales:move", "activities:complete", "leads:detail"]


@pytest.mark.parametrize("name", NAMES)
def test_a_record_url_is_the_url_django_reverses(name):
    for record_id in (1, 42, 9_223_372_036_854_775_807):
        assert record_url(name, record_id) == reverse(name, args=[record_id])


def test_a_record_url_follows_the_script_prefix():
    set_script_prefix("/crm/")
    try:
        assert record_url("customers:detail", 7) == "/crm/customers/7/"
    finally:
        set_script_prefix("/")


def test_a_url_without_a_record_id_is_refused():
    with pytest.raises(NoReverseMatch):
        record_url("customers:list", 7)


def test_a_record_id_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        record_url("customers:detail", "7/../../admin")
