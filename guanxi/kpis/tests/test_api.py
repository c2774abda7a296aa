"""The process-KPI endpoint: the figures, its period presets, bad input and scope."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.activities.models import Activity
from guanxi.kpis.daily import days_rebuild
from guanxi.kpis.tests.conftest import (
    activity,
    customer,
    lead,
    opportunity,
    pay,
    plan_week,
)
from guanxi.leads.models import Lead

URL = "/api/v1/kpis/process"
Q2 = {"period_start": "2026-04-01", "period_end": "2026-06-30"}


def test_the_endpoint_answers_the_figures_of_the_period(api_as, staff, quarter):
    body = api_as("account_manager").get(URL, Q2).json()
    assert body["days"] == 91
    assert [g["key"] for g in body["groups"]] == [staff["account_manager"].pk]
    assert body["total"]["wins"]["won"] == 2
    assert body["total"]["revenue"]["revenue"] == "1300.00"


def test_without_days_the_preset_period_holding_today_is_read(api_as, quarter):
    body = api_as("admin").get(URL, {"preset": "week"}).json()
    assert body["days"] == 7


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period_start": "2026-13-01", "period_end": "2026-12-31"}, "period_start"),
        ({"period_start": "2026-05-01", "period_end": "2026-04-01"}, "period_end"),
        ({"period_start": "2026-05-01"}, "period_end"),
        ({"period_start": "0001-01-01", "period_end": "2026-04-01"}, "period_start"),
        ({"period_start": "2020-01-01", "period_end": "2026-01-01"}, "period_end"),
        ({"group_by": "customer"}, "group_by"),
        ({"preset": "decade"}, "preset"),
        ({"team": "0"}, "team"),
        ({"owner": "x"}, "owner"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api_as, params, field):
    response = api_as("admin").get(URL, params)
    assert response.status_code == 422
    assert field in {d["field"] for d in response.json()["detail"]}


@pytest.mark.parametrize("param", ["owner", "team", "branch"])
def test_a_filter_out_of_scope_is_a_404(api_as, staff, org, param):
    target = {"owner": staff["south_manager"], "team": org["south_team"], "branch": org["south"]}
    response = api_as("branch_manager").get(URL, {**Q2, param: target[param].pk})
    assert response.status_code == 404


def test_a_role_without_process_kpis_is_a_403(api_as):
    assert api_as("marketer").get(URL, Q2).status_code == 403


def test_reading_the_figures_changes_nothing(api_as, quarter):
    before = (Activity.objects.count(), Lead.objects.count())
    api_as("admin").get(URL, Q2)
    assert (Activity.objects.count(), Lead.objects.count()) == before


def queries_of(client, params: dict) -> int:
    assert client.get(URL, params).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("group_by", ["owner", "team", "branch"])
def test_the_endpoint_takes_the_same_queries_for_more_rows(
    api_as, make_customer, staff, org, quarter, group_by
):
    client = api_as("branch_manager")
    params = {**Q2, "group_by": group_by}
    few = queries_of(client, params)
    for n in range(6):
        owner = staff["account_manager" if n % 2 else "other_manager"]
        more = customer(make_customer, f"加客{n}", "platinum", owner, org["north"])
        activity("visit", more, "2026-06-01")
        lead(owner, org["north"], quarter["p1"].created_at, None)
        opportunity(more, [("information", "2026-04-02"), ("won", "2026-05-02")], amount=10)
        pay(more, 10, "2026-05-01")
        plan_week(owner, dt.date(2026, 4, 6) + dt.timedelta(weeks=n), [("visit", more)])
    days_rebuild()
    assert queries_of(client, params) == few


def test_the_endpoint_takes_nineteen_queries_narrowed_to_an_owner(api_as, quarter):
    # The owner's reach; the stored contact rules; customers per tier, contacts, coverage;
    # planned contacts; leads and their waits; stage entries and exits; closed
    # opportunities and their cycles; overdue next steps and tasks; lifecycle moves;
    # revenue and the new customers' part of it; the pipelines' stages; the groups' names
    # (the token is remembered after the first call).
    assert queries_of(api_as("admin"), {**Q2, "owner": quarter["p1"].owner_id}) == 19
