"""Customers move through the lifecycle several times, as their purchases say, with reasons."""

from collections import defaultdict
from datetime import timedelta

import pytest

from guanxi.customers import lifecycle
from guanxi.customers.models import Customer, LifecycleChange, LifecycleStatus, Transaction

pytestmark = pytest.mark.django_db

HALF_YEAR = timedelta(days=180)


def _changes() -> dict[int, list[LifecycleChange]]:
    """Each customer's changes, earliest first."""
    changes = defaultdict(list)
    for change in LifecycleChange.objects.order_by("customer_id", "changed_at", "id"):
        changes[change.customer_id].append(change)
    return changes


def _purchase_times() -> dict[int, list]:
    """Each customer's purchase times (refunds are not purchases), earliest first."""
    times = defaultdict(list)
    purchases = Transaction.objects.filter(amount__gt=0).order_by("customer_id", "occurred_at")
    for customer, at in purchases.values_list("customer_id", "occurred_at"):
        times[customer].append(at)
    return times


def test_many_customers_have_several_lifecycle_changes(demo):
    several = [c for c in _changes().values() if len(c) >= 3]
    assert len(several) > 0.3 * Customer.objects.count()


def test_each_change_starts_from_the_status_the_one_before_it_ended_in(demo):
    for changes in _changes().values():
        assert changes[0].from_status == LifecycleStatus.PROSPECT
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.to_status != after.from_status


def test_the_latest_change_ends_in_the_customers_status(demo):
    changes = _changes()
    for customer in Customer.objects.all():
        if customer.status == LifecycleStatus.PROSPECT:
            assert customer.pk not in changes
        else:
            assert changes[customer.pk][-1].to_status == customer.status


def test_every_change_gives_a_reason(demo):
    assert not LifecycleChange.objects.filter(reason="").exists()


def test_a_customer_becomes_new_at_their_first_purchase(demo):
    changes = _changes()
    for customer in Customer.objects.exclude(status=LifecycleStatus.PROSPECT):
        first = changes[customer.pk][0]
        assert first.to_status == LifecycleStatus.NEW
        assert first.changed_at == customer.first_purchase_at


def test_a_customer_goes_inactive_half_a_year_after_a_purchase_with_none_since(demo):
    purchases = _purchase_times()
    moves = LifecycleChange.objects.filter(to_status=LifecycleStatus.INACTIVE)
    assert moves.exists()
    for move in moves:
        before = [t for t in purchases[move.customer_id] if t < move.changed_at]
        assert move.changed_at - before[-1] == HALF_YEAR


def test_a_customer_is_won_back_by_a_purchase_after_half_a_year_without_one(demo):
    purchases = _purchase_times()
    moves = LifecycleChange.objects.filter(to_status=LifecycleStatus.WON_BACK)
    assert moves.exists()
    for move in moves:
        times = purchases[move.customer_id]
        at = times.index(move.changed_at)
        assert at > 0 and move.changed_at - times[at - 1] > HALF_YEAR


def test_every_demo_move_is_one_the_lifecycle_workflow_allows(demo):
    moves = set(LifecycleChange.objects.values_list("from_status", "to_status"))
    assert moves, "the demo made no lifecycle moves"
    assert {m for m in moves if not lifecycle.may_move(*m)} == set()
