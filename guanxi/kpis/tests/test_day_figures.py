"""The day figures follow what the services write once its events are handled, and summing
every day again from the source tables gives the same rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from guanxi import policy
from guanxi.activities import services as activities
from guanxi.activities.inputs import ActivityFields
from guanxi.audit.services import RequestContext
from guanxi.core.events.dispatch import dispatch_pending
from guanxi.customers import holdings
from guanxi.customers.owners import customer_assign_owner
from guanxi.customers.services import customer_change_lifecycle
from guanxi.kpis.daily import days_rebuild
from guanxi.kpis.models import ContactDay, MoveDay, RevenueDay
from guanxi.kpis.tests.conftest import at, customer

CONTEXT = RequestContext(channel="test")
DAY, LATER = dt.date(2026, 5, 12), dt.date(2026, 5, 14)


def contacts() -> list[tuple]:
    return sorted(ContactDay.objects.values_list("day", "owner_id", "value_tier", "kind", "done"))


def every_row() -> dict[str, list[tuple]]:
    return {
        "contacts": contacts(),
        "revenue": sorted(RevenueDay.objects.values_list("day", "branch_id", "owner_id", "amount")),
        "moves": sorted(
            MoveDay.objects.values_list("day", "owner_id", "from_status", "to_status", "moves")
        ),
    }


@pytest.fixture
def gold(make_customer, staff, org):
    """A gold customer of the account manager, in the north branch."""
    return customer(make_customer, "黄金客户", "gold", staff["account_manager"], org["north"])


def log(staff, who, day: dt.date = DAY, role: str = "account_manager", **fields):
    """The customer's manager logs a done visit on ``day`` through the service."""
    data = {"kind": "visit", "subject": "拜访", "customer_id": who.pk, "status": "done"}
    data |= {"starts_at": at(day.isoformat()), **fields}
    viewer = policy.Viewer.of(staff[role])
    return activities.activity_log(
        viewer=viewer, fields=ActivityFields.from_mapping(data), context=CONTEXT
    )


def book(staff, who, amount: int, day: dt.date = DAY) -> None:
    booking = holdings.Booking(Decimal(amount), "branch", at(day.isoformat()))
    viewer = policy.Viewer.of(staff["admin"])
    holdings.transaction_book(viewer=viewer, customer_id=who.pk, booking=booking, context=CONTEXT)


def make_new(staff, who) -> None:
    """The administrator moves a prospect to a new customer through the service."""
    viewer = policy.Viewer.of(staff["admin"])
    customer_change_lifecycle(
        viewer=viewer, customer_id=who.pk, to_status="new", reason="首次购买",
        expected_version=who.version, context=CONTEXT,
    )  # fmt: skip


def test_a_visit_logged_through_the_service_counts_on_its_day_once_its_event_is_handled(
    staff, gold
):
    log(staff, gold)
    assert contacts() == []
    dispatch_pending()
    assert contacts() == [(DAY, staff["account_manager"].pk, "gold", "visit", 1)]


def test_a_contact_moved_to_another_day_leaves_the_day_it_was_on(staff, gold):
    visit = log(staff, gold)
    log(staff, gold, kind="call")
    dispatch_pending()
    activities.activity_update(
        viewer=policy.Viewer.of(staff["account_manager"]),
        activity_id=visit.pk,
        fields=ActivityFields.from_mapping({"starts_at": at(LATER.isoformat())}),
        expected_version=visit.version,
        context=CONTEXT,
    )
    dispatch_pending()
    am = staff["account_manager"].pk
    assert contacts() == [(DAY, am, "gold", "call", 1), (LATER, am, "gold", "visit", 1)]


def test_a_planned_visit_counts_only_once_it_is_done(staff, gold):
    planned = log(staff, gold, status="open")
    dispatch_pending()
    assert contacts() == []
    activities.task_complete(
        viewer=policy.Viewer.of(staff["account_manager"]),
        activity_id=planned.pk,
        expected_version=planned.version,
        context=CONTEXT,
    )
    dispatch_pending()
    assert contacts() == [(DAY, staff["account_manager"].pk, "gold", "visit", 1)]


def test_booked_transactions_add_up_to_their_days_revenue_net_of_refunds(staff, gold, org):
    book(staff, gold, 1000)
    book(staff, gold, -250)
    book(staff, gold, 40, day=LATER)
    dispatch_pending()
    am, north = staff["account_manager"].pk, org["north"].pk
    assert every_row()["revenue"] == [
        (DAY, north, am, Decimal("750.00")),
        (LATER, north, am, Decimal("40.00")),
    ]


def test_a_lifecycle_move_counts_on_the_day_it_was_made(staff, gold):
    make_new(staff, gold)
    dispatch_pending()
    today = timezone.localdate()
    assert every_row()["moves"] == [(today, staff["account_manager"].pk, "prospect", "new", 1)]


def test_summing_every_day_again_gives_the_rows_the_events_kept(staff, gold, make_customer, org):
    other = customer(make_customer, "普通客户", "standard", staff["other_manager"], org["north"])
    log(staff, gold)
    log(staff, gold, kind="call", day=LATER)
    log(staff, other, kind="meeting", role="other_manager")
    book(staff, gold, 500)
    book(staff, other, 70, day=LATER)
    make_new(staff, other)
    dispatch_pending()
    kept = every_row()
    assert all(kept.values())
    days_rebuild()
    assert every_row() == kept


def test_a_customer_handed_over_keeps_past_contacts_with_the_manager_who_made_them(staff, gold):
    log(staff, gold)
    dispatch_pending()
    customer_assign_owner(
        viewer=policy.Viewer.of(staff["admin"]),
        customer_ids=[gold.pk],
        owner_id=staff["other_manager"].pk,
        context=CONTEXT,
    )
    log(staff, gold, day=LATER, kind="call", role="other_manager")
    dispatch_pending()
    assert contacts() == [
        (DAY, staff["account_manager"].pk, "gold", "visit", 1),
        (LATER, staff["other_manager"].pk, "gold", "call", 1),
    ]
