"""Cross-sell reasons: stored as data by a run and worded in the viewer's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from guanxi.insights import services
from guanxi.insights.cross_sell_reasons import suggestion_reason
from guanxi.insights.models import CrossSellSuggestion
from guanxi.web.tests.support import client_for

CO_HELD = {"code": "co_held", "held": "活期储蓄", "share": 0.62}


@pytest.fixture
def suggestion(make_customer, products, fabricated_run):
    zhang = make_customer("张三")
    run = fabricated_run([zhang])
    return CrossSellSuggestion.objects.create(
        run=run,
        customer=zhang,
        rank=1,
        product=products["FUND"],
        score=0.8,
        reason="62% of customers holding 活期储蓄 also hold 基金定投",
        reason_data=CO_HELD,
    )


def test_a_co_held_reason_is_worded_in_english(suggestion):
    with translation.override("en"):
        assert suggestion_reason(suggestion) == (
            "62% of customers holding 活期储蓄 also hold 基金定投"
        )


def test_a_co_held_reason_is_worded_in_chinese(suggestion):
    with translation.override("zh-hans"):
        assert suggestion_reason(suggestion) == "持有活期储蓄的客户中，62% 也持有基金定投"


def test_a_popularity_reason_is_worded_in_both_languages(suggestion):
    suggestion.reason_data = {"code": "popular", "held": None, "share": 0.4}
    with translation.override("en"):
        assert suggestion_reason(suggestion) == "held by 40% of customers"
    with translation.override("zh-hans"):
        assert suggestion_reason(suggestion) == "40% 的客户持有此产品"


def test_an_old_runs_suggestion_keeps_its_english_text(suggestion):
    suggestion.reason_data = None
    with translation.override("zh-hans"):
        assert suggestion_reason(suggestion) == suggestion.reason


def test_the_360_page_shows_the_reason_in_chinese(suggestion, staff):
    page = client_for(staff["account_manager"]).get(
        reverse("customers:detail", args=[suggestion.customer_id]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "持有活期储蓄的客户中，62% 也持有基金定投" in html
    assert "also hold" not in html


def test_a_run_stores_every_suggestions_reason_as_data_alone(demo_store):
    run = services.run_analysis()

    suggestions = list(CrossSellSuggestion.objects.filter(run=run).select_related("product"))
    assert suggestions
    for s in suggestions:
        assert s.reason_data["code"] in ("co_held", "popular")
        assert 0 < s.reason_data["share"] <= 1
        assert (s.reason_data["held"] is not None) == (s.reason_data["code"] == "co_held")
        with translation.override("en"):
            worded = suggestion_reason(s)
        assert s.reason == ""  # worded from the data alone
        assert worded.startswith(f"{s.reason_data['share']:.0%}") or "held by" in worded
        if s.reason_data["held"]:
            assert s.reason_data["held"] in worded and s.product.name in worded
