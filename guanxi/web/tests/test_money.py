"""Amounts as readers expect them: currency and separators, 万 and 亿 for Chinese headlines."""

from decimal import Decimal

import pytest
from django.utils import translation

from guanxi.web.templatetags.guanxi_web import money, money_brief


def test_an_amount_in_full_has_its_currency_separators_and_cents():
    assert money(Decimal("853680.95")) == "¥853,680.95"


def test_a_negative_amount_puts_the_sign_before_the_currency():
    assert money(Decimal("-1850000")) == "-¥1,850,000.00"


@pytest.mark.parametrize("missing", [None, "", "not a number", float("nan")])
def test_a_missing_amount_shows_a_dash(missing):
    assert money(missing) == money_brief(missing) == "—"


@pytest.mark.parametrize(
    ("amount", "shown"),
    [(853680.95, "¥85.37万"), (123456789, "¥1.23亿"), (9999.5, "¥9,999.50"), (-25000, "-¥2.50万")],
)
def test_a_chinese_headline_amount_counts_in_wan_and_yi(amount, shown):
    with translation.override("zh-hans"):
        assert money_brief(amount) == shown


@pytest.mark.parametrize(
    ("amount", "shown"), [(853680.95, "¥853.68K"), (1234567, "¥1.23M"), (999, "¥999.00")]
)
def test_an_english_headline_amount_counts_in_thousands_and_millions(amount, shown):
    with translation.override("en"):
        assert money_brief(amount) == shown
