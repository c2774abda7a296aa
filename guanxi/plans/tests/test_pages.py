"""The plan pages: the week with its agenda, making a plan, planning a contact from the
portfolio, targets, the weekly review with HTMX, and what each role may open."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.plans.models import ItemReview, Plan, PlanItem
from guanxi.plans.tests.conftest import DAY
from guanxi.web.tests.support import client_for

HTMX = {"HX-Request": "true"}


@pytest.fixture
def am(staff):
    return client_for(staff["account_manager"])


def test_the_plans_page_offers_to_make_the_week_plan(am):
    response = am.get("/plans/", {"date": DAY.isoformat()})
    assert response.status_code == 200
    assert 'id="make-plan"' in response.content.decode()


def test_making_the_week_plan_from_the_page(am, staff):
    response = am.post("/plans/new/", {"period": "week", "day": DAY.isoformat(),
                                       "owner": staff["account_manager"].pk})  # fmt: skip
    plan = Plan.objects.get()
    assert response.status_code == 302 and plan.starts_on == dt.date(2031, 1, 6)


def test_an_account_manager_cannot_make_a_colleagues_plan_from_the_page(am, staff):
    am.post("/plans/new/", {"period": "week", "day": DAY.isoformat(),
                            "owner": staff["other_manager"].pk})  # fmt: skip
    assert not Plan.objects.exists()


def test_a_contact_is_planned_with_htmx_and_the_card_comes_back(am, week_plan, mine):
    response = am.post(
        f"/plans/{week_plan.pk}/items/",
        {"version": 1, "customer": mine.pk, "kind": "visit", "planned_on": "2031-01-09"},
        headers=HTMX,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert text.startswith('\n<div id="plan"') or '<div id="plan"' in text[:200]
    assert "王客户" in text and PlanItem.objects.count() == 1


def test_a_stale_version_on_the_page_says_so_and_adds_nothing(am, week_plan, mine):
    body = {"version": 9, "customer": mine.pk, "kind": "call"}
    response = am.post(f"/plans/{week_plan.pk}/items/", body, headers=HTMX)
    assert 'id="refusal"' in response.content.decode()
    assert not PlanItem.objects.exists()


def test_a_customer_not_in_the_portfolio_is_not_offered_nor_taken(am, week_plan, colleagues):
    page = am.get(f"/plans/{week_plan.pk}/").content.decode()
    assert "赵的客户" not in page
    am.post(f"/plans/{week_plan.pk}/items/", {"version": 1, "customer": colleagues.pk,
                                              "kind": "call"}, headers=HTMX)  # fmt: skip
    assert not PlanItem.objects.exists()


def test_targets_are_set_from_the_page(am, week_plan):
    am.post(f"/plans/{week_plan.pk}/targets/",
            {"version": 1, "note": "冲刺", "targets.visits": "3"}, headers=HTMX)  # fmt: skip
    week_plan.refresh_from_db()
    assert week_plan.note == "冲刺"
    assert {t.metric for t in week_plan.targets.all()} == {"visits"}


def test_the_weekly_review_is_saved_from_the_page(staff, week_plan, mine, add_item):
    item = add_item(week_plan, mine)
    lead = client_for(staff["team_lead"])
    response = lead.post(
        f"/plans/{week_plan.pk}/review/",
        {"version": 2, f"change_{item.pk}": "lifecycle", f"note_{item.pk}": "升级为新客户"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert ItemReview.objects.get().change == "lifecycle"
    assert 'id="reviewed"' in response.content.decode()


def test_a_planned_contact_is_removed_from_the_page(am, week_plan, mine, add_item):
    item = add_item(week_plan, mine)
    am.post(f"/plans/{week_plan.pk}/items/{item.pk}/remove/", {"version": 2}, headers=HTMX)
    assert not PlanItem.objects.exists()


def test_the_page_shows_the_days_agenda(am, week_plan, mine, add_item):
    add_item(week_plan, mine, planned_on=DAY)
    page = am.get("/plans/", {"date": DAY.isoformat()}).content.decode()
    assert 'id="agenda"' in page and "王客户" in page


def test_another_branchs_plan_page_is_a_404(staff, week_plan):
    assert client_for(staff["south_manager"]).get(f"/plans/{week_plan.pk}/").status_code == 404


def test_the_page_speaks_chinese(am, week_plan):
    am.post("/language/", {"language": "zh-hans"})
    page = am.get(f"/plans/{week_plan.pk}/").content.decode()
    assert "计划" in page


def _queries(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_plan_page_takes_the_same_queries_for_more_contacts(
    am, week_plan, make_customer, add_item, log
):
    def more(count: int, start: int) -> None:
        for n in range(start, start + count):
            customer = make_customer(f"客户{n}")
            add_item(week_plan, customer, planned_on=DAY)
            log(customer, "visit")

    more(2, 0)
    url = f"/plans/{week_plan.pk}/"
    few = _queries(am, url)
    more(6, 2)
    assert _queries(am, url) == few


def test_the_plan_api_takes_the_same_queries_for_more_contacts(
    api_as, week_plan, make_customer, add_item
):
    client = api_as("account_manager")
    add_item(week_plan, make_customer("甲"))
    url = f"/api/v1/plans/{week_plan.pk}"
    few = _queries(client, url)
    for n in range(5):
        add_item(week_plan, make_customer(f"乙{n}"))
    assert _queries(client, url) == few
