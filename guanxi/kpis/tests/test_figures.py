"""Each process KPI against the hand-built quarter, to the exact figure."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi import policy
from guanxi.activities.models import Activity
from guanxi.kpis.daily import days_rebuild
from guanxi.kpis.period import Period
from guanxi.kpis.scope import kpi_scope_for_user
from guanxi.kpis.selectors import process_kpis_for_user
from guanxi.kpis.tests.conftest import LONG_AGO, Q2, activity, at, customer, lead, plan_week
from guanxi.sales.models import Stage


def kpis(staff, role: str = "admin", **narrow) -> dict:
    viewer = policy.Viewer.of(staff[role])
    return process_kpis_for_user(scope=kpi_scope_for_user(viewer=viewer, **narrow), period=Q2)


def mine(staff, quarter) -> dict:
    data = kpis(staff)
    return next(g for g in data["groups"] if g["key"] == staff["account_manager"].pk)


def stage(code: str) -> str:
    return str(Stage.objects.get(pipeline__code="acquisition", code=code).pk)


def test_contacts_per_tier_compare_done_contacts_of_the_rules_kind_with_the_required(
    staff, quarter
):
    tiers = {t["value_tier"]: t for t in mine(staff, quarter)["contacts"]["tiers"]}
    assert tiers["platinum"] == {
        "value_tier": "platinum", "customers": 2, "required": 6.1, "actual": 2,
        "rate": pytest.approx(2 / 6.1),
    }  # fmt: skip
    assert tiers["gold"] == {
        "value_tier": "gold", "customers": 1, "required": 3.0, "actual": 2,
        "rate": pytest.approx(2 / 3.0),
    }  # fmt: skip


def test_contacts_count_every_done_visit_call_and_meeting_of_the_period(staff, quarter):
    assert mine(staff, quarter)["contacts"]["contacts"] == 6


def test_new_customers_are_those_created_in_the_period(staff, quarter):
    assert mine(staff, quarter)["contacts"]["new_customers"] == 1


def test_top_tier_coverage_is_the_share_contacted_within_the_rule_before_the_end(staff, quarter):
    assert mine(staff, quarter)["contacts"]["coverage"] == {
        "customers": 2, "covered": 1, "rate": 0.5,
    }  # fmt: skip


def test_total_coverage_adds_the_groups_counts(staff, quarter):
    total = kpis(staff)["total"]["contacts"]
    assert total["coverage"] == {"customers": 4, "covered": 2, "rate": 0.5}
    assert total["tiers"][0]["required"] == 12.1


def test_planned_contacts_are_the_week_plans_items_and_done_when_fulfilled_in_the_week(
    staff, quarter
):
    am, south = staff["account_manager"], staff["south_manager"]
    g1 = quarter["g1"]
    # P1's visit of 20 June fulfils it; G1 has no call in that week.
    plan_week(am, dt.date(2026, 6, 15), [("visit", quarter["p1"]), ("call", g1)])
    plan_week(am, dt.date(2026, 3, 30), [("visit", quarter["p1"])])  # a week before Q2
    plan_week(am, dt.date(2026, 6, 1), [("visit", quarter["p1"])], period="month")
    plan_week(south, dt.date(2026, 6, 8), [("visit", quarter["p4"])])  # done on 10 June
    planned = mine(staff, quarter)["planned"]
    assert (planned["planned"], planned["done"], planned["rate"]) == (2, 1, 0.5)
    tiers = {t["value_tier"]: (t["planned"], t["done"]) for t in planned["tiers"]}
    assert tiers == {"platinum": (1, 1), "gold": (1, 0), "silver": (0, 0), "standard": (0, 0)}
    total = kpis(staff)["total"]["planned"]
    assert (total["planned"], total["done"]) == (3, 2)


def test_planned_contacts_of_a_colleague_out_of_reach_are_not_counted(staff, quarter):
    plan_week(staff["south_manager"], dt.date(2026, 6, 8), [("visit", quarter["p4"])])
    assert kpis(staff, "team_lead")["total"]["planned"]["planned"] == 0


def test_lead_response_time_is_the_median_and_90th_percentile_wait_in_hours(staff, quarter):
    assert mine(staff, quarter)["leads"] == {
        "captured": 4, "responded": 3, "median_hours": 4.0, "p90_hours": 20.0,
    }  # fmt: skip


def test_unassigned_leads_form_a_group_of_their_own_by_owner(staff, quarter):
    unassigned = next(g for g in kpis(staff)["groups"] if g["key"] is None)
    assert unassigned["leads"]["captured"] == 1
    assert unassigned["leads"]["median_hours"] == 1.0


def test_stage_conversion_counts_opportunities_entering_and_moving_further(staff, quarter):
    stages = mine(staff, quarter)["stages"]
    assert stages[stage("information")]["entered"] == 3
    assert stages[stage("information")]["advanced"] == 3
    assert stages[stage("first_visit")]["entered"] == 2
    assert stages[stage("first_visit")]["advanced"] == 1
    assert stages[stage("first_visit")]["conversion"] == 0.5
    assert stages[stage("won")]["entered"] == 2


def test_time_in_stage_is_the_median_days_from_moving_in_to_moving_out(staff, quarter):
    stages = mine(staff, quarter)["stages"]
    assert stages[stage("information")]["median_days"] == 10.0
    assert stages[stage("first_visit")]["median_days"] == 10.5
    assert stages[stage("needs_analysis")]["median_days"] == 10.0


def test_win_rate_is_won_over_won_and_lost_closed_in_the_period(staff, quarter):
    wins = mine(staff, quarter)["wins"]
    assert (wins["won"], wins["lost"]) == (2, 1)
    assert wins["win_rate"] == pytest.approx(2 / 3)
    assert wins["median_days_to_win"] == 30.0


def test_won_amount_and_the_part_from_new_customers(staff, quarter):
    wins = mine(staff, quarter)["wins"]
    assert wins["won_amount"] == Decimal("120000")
    assert wins["new_customer_won_amount"] == Decimal("20000")


def test_overdue_next_steps_and_tasks_are_counted_as_of_today(staff, quarter):
    assert mine(staff, quarter)["overdue"] == {"next_steps": 1, "tasks": 1}


def test_an_overdue_task_counts_for_the_colleague_who_is_to_do_it(staff, quarter):
    colleague = staff["other_manager"]
    activity("task", quarter["p1"], "2026-01-02", status="open", owner_id=colleague.pk,
             due_on=dt.date(2026, 1, 2))  # fmt: skip
    groups = {g["key"]: g for g in kpis(staff)["groups"]}
    assert groups[colleague.pk]["overdue"]["tasks"] == 1
    assert groups[staff["account_manager"].pk]["overdue"]["tasks"] == 1


def test_lifecycle_conversion_is_the_share_of_moves_out_of_a_stage_along_the_path(staff, quarter):
    found = mine(staff, quarter)["lifecycle"]["steps"]
    steps = {(s["from_status"], s["to_status"]): s for s in found}
    assert steps["prospect", "new"] == {
        "from_status": "prospect", "to_status": "new", "left": 1, "moved": 1, "rate": 1.0,
    }  # fmt: skip
    assert (steps["new", "repeat"]["left"], steps["new", "repeat"]["moved"]) == (2, 1)
    assert steps["new", "repeat"]["rate"] == 0.5
    assert steps["repeat", "loyal"]["rate"] == 1.0


def test_revenue_is_net_of_refunds_with_the_new_customers_share(staff, quarter):
    revenue = mine(staff, quarter)["revenue"]
    assert revenue["revenue"] == Decimal("1300")
    assert revenue["new_customer_revenue"] == Decimal("500")
    assert revenue["new_customer_share"] == pytest.approx(500 / 1300)


def test_figures_group_by_branch(staff, quarter, org):
    groups = {g["key"]: g for g in kpis(staff, group_by="branch")["groups"]}
    assert groups[org["south"].pk]["revenue"]["revenue"] == Decimal("700")
    assert groups[org["north"].pk]["contacts"]["coverage"]["customers"] == 3


def test_figures_group_by_team_with_the_teamless_apart(staff, quarter, org):
    groups = {g["key"]: g for g in kpis(staff, group_by="team")["groups"]}
    assert groups[org["north_team"].pk]["wins"]["won"] == 2
    assert groups[None]["contacts"]["coverage"]["customers"] == 2  # am2's and the south's


def test_a_running_period_requires_contacts_for_its_days_so_far_and_covers_as_of_now(
    staff, make_customer, org
):
    today = timezone.localdate()
    top = customer(make_customer, "白金五", "platinum", staff["account_manager"], org["north"])
    activity("visit", top, (today - dt.timedelta(days=1)).isoformat())
    period = Period(today - dt.timedelta(days=14), today + dt.timedelta(days=15))
    viewer = policy.Viewer.of(staff["account_manager"])
    data = process_kpis_for_user(scope=kpi_scope_for_user(viewer=viewer), period=period)
    contacts = data["total"]["contacts"]
    assert contacts["tiers"][0]["required"] == 0.5  # one customer, 15 of 30 days
    assert contacts["coverage"]["covered"] == 1


def test_activities_about_a_lead_alone_change_no_figure(staff, quarter, org):
    before = kpis(staff)
    prospect = lead(staff["account_manager"], org["north"], at(LONG_AGO.isoformat()), None)
    for kind, status in (("call", "done"), ("visit", "done"), ("task", "open")):
        Activity.objects.create(
            kind=kind, lead=prospect, owner=staff["account_manager"], status=status,
            starts_at=at("2026-05-06"), due_on=dt.date(2026, 5, 6), subject=kind,
        )  # fmt: skip
    days_rebuild()
    assert kpis(staff) == before
