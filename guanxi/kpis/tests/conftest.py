"""A hand-built quarter (2026 Q2) of one account manager's work, with neighbours in and out
of each scope, whose every KPI is worked out by hand in the tests. Rows are written
directly, so the day figures are summed after them, as after a bulk load."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi.activities.models import Activity
from guanxi.customers.models import Customer, LifecycleChange, Transaction
from guanxi.kpis.daily import days_rebuild
from guanxi.kpis.period import Period
from guanxi.leads.models import Lead
from guanxi.plans.models import Plan, PlanItem
from guanxi.sales.defaults import ensure_default_pipeline
from guanxi.sales.models import Opportunity, Pipeline, Stage, StageChange
from guanxi.sales.stage_history import walked

Q2 = Period(dt.date(2026, 4, 1), dt.date(2026, 6, 30))
LONG_AGO = dt.date(2025, 1, 1)


def at(day: str, hour: int = 10) -> dt.datetime:
    """A local time on a day of the business calendar."""
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def customer(make_customer, name: str, tier: str, owner, branch, since: str = "2025-01-01"):
    made = make_customer(
        name, value_tier=tier, owner_id=owner.pk, branch_id=branch.pk, id_number=""
    )
    Customer.objects.filter(pk=made.pk).update(created_at=at(since))
    return made


def activity(kind: str, who: Customer, day: str, status: str = "done", **extra) -> Activity:
    """An activity with the customer, by the customer's owner unless ``owner_id`` says."""
    return Activity.objects.create(
        kind=kind, customer=who, status=status, starts_at=at(day), subject=kind,
        **{"owner_id": who.owner_id, **extra},
    )  # fmt: skip


def opportunity(who: Customer, moves: list[tuple[str, str]], amount: int = 0, **extra):
    """An opportunity moved through stages (code, day); closed when the last is won or lost."""
    # A transactional test elsewhere may have flushed the migration's pipeline.
    stages = {s.code: s for s in ensure_default_pipeline(Pipeline, Stage).stages.all()}
    last = stages[moves[-1][0]]
    closed = at(moves[-1][1]) if last.is_won or last.is_lost else None
    status = "won" if last.is_won else "lost" if last.is_lost else "open"
    made = Opportunity.objects.create(
        name="机会", customer=who, pipeline=last.pipeline, stage=last, status=status,
        owner_id=who.owner_id, branch_id=who.branch_id, amount=Decimal(amount),
        probability=last.probability, closed_at=closed, created_at=at(moves[0][1]), **extra,
    )  # fmt: skip
    StageChange.objects.bulk_create(
        walked(made, [(stages[code], at(day)) for code, day in moves], None)
    )
    return made


def lead(owner, branch, captured: dt.datetime, answered: dt.datetime | None) -> Lead:
    return Lead.objects.create(
        name="线索", branch=branch, source="walk_in", owner=owner, created_at=captured,
        first_response_at=answered,
    )  # fmt: skip


def plan_week(owner, monday: dt.date, contacts: list[tuple[str, Customer]], period="week"):
    """A plan of the owner's from ``monday`` (a week, or with ``period`` a month) with
    planned contacts of (kind, customer)."""
    ends = monday + dt.timedelta(days=6 if period == "week" else 29)
    made = Plan.objects.create(
        owner=owner, branch_id=owner.profile.branch_id, period=period, starts_on=monday,
        ends_on=ends,
    )  # fmt: skip
    for kind, who in contacts:
        PlanItem.objects.create(plan=made, customer=who, kind=kind)
    return made


def move(who: Customer, source: str, target: str, day: str) -> None:
    LifecycleChange.objects.create(
        customer=who, from_status=source, to_status=target, reason="测试", changed_at=at(day)
    )


def pay(who: Customer, amount: int, day: str) -> None:
    Transaction.objects.create(
        customer=who, amount=Decimal(amount), channel="branch", occurred_at=at(day)
    )


@pytest.fixture
def quarter(make_customer, staff, org) -> dict:
    """The account manager's portfolio in the north team, a colleague of the north branch
    outside the team, and one in the south."""
    am, am2, south = staff["account_manager"], staff["other_manager"], staff["south_manager"]
    north = org["north"]
    p1 = customer(make_customer, "白金一", "platinum", am, north)
    p2 = customer(make_customer, "白金二", "platinum", am, north)
    g1 = customer(make_customer, "黄金一", "gold", am, north)
    s1 = customer(make_customer, "普通一", "standard", am, north)
    n1 = customer(make_customer, "新客户", "standard", am, north, since="2026-05-10")
    p3 = customer(make_customer, "白金三", "platinum", am2, north)
    p4 = customer(make_customer, "白金四", "platinum", south, org["south"])
    LifecycleChange.objects.all().delete()  # the creations' own, made today

    activity("visit", p1, "2026-06-20")  # covers P1 at the quarter's end
    activity("call", p1, "2026-04-10")  # a contact, not a visit
    activity("visit", p2, "2026-04-15")  # meets the rule, too early to cover
    activity("visit", p2, "2026-07-05")  # after the quarter
    activity("call", g1, "2026-05-01")
    activity("meeting", g1, "2026-05-02")
    activity("call", s1, "2026-05-05")
    activity("visit", p3, "2026-06-25", status="cancelled")
    activity("visit", p4, "2026-06-10")
    activity("task", p1, "2026-01-01", status="open", due_on=dt.date(2026, 1, 1))

    lead(am, north, at("2026-04-01", 9), at("2026-04-01", 11))  # 2 h
    lead(am, north, at("2026-04-02", 9), at("2026-04-02", 13))  # 4 h
    lead(am, north, at("2026-04-03", 9), at("2026-04-04", 9))  # 24 h
    lead(am, north, at("2026-04-04", 9), None)
    lead(am, north, at("2026-03-31", 9), at("2026-03-31", 10))  # before the quarter
    lead(None, north, at("2026-05-01", 9), at("2026-05-01", 10))  # unassigned, 1 h

    opportunity(
        p1,
        [("information", "2026-04-01"), ("first_visit", "2026-04-11"),
         ("needs_analysis", "2026-04-21"), ("won", "2026-05-01")],
        amount=100000,
    )  # fmt: skip
    opportunity(
        g1,
        [("information", "2026-04-05"), ("first_visit", "2026-04-09"), ("lost", "2026-04-20")],
        amount=50000,
        loss_reason="price",
    )
    opportunity(n1, [("information", "2026-05-15"), ("won", "2026-06-14")], amount=20000)
    opportunity(
        s1, [("information", "2025-12-01")], next_step="回访", next_step_due=dt.date(2026, 1, 1)
    )

    move(n1, "prospect", "new", "2026-05-10")
    move(s1, "new", "repeat", "2026-04-10")
    move(s1, "repeat", "loyal", "2026-06-01")
    move(g1, "new", "inactive", "2026-05-20")
    move(p1, "prospect", "new", "2026-03-01")  # before the quarter

    pay(p1, 1000, "2026-04-10")
    pay(p1, -200, "2026-05-10")
    pay(n1, 500, "2026-05-20")
    pay(s1, 300, "2026-03-15")  # before the quarter
    pay(p4, 700, "2026-06-01")
    days_rebuild()  # written as a loader writes, without events
    return {"p1": p1, "p4": p4, "n1": n1, "s1": s1, "g1": g1}
