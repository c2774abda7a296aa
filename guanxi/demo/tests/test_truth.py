"""The generator's truth (``demo-data --truth``) agrees with the transactions it generated."""

import datetime as dt

import pyarrow.parquet as pq
import pytest
from django.db.models import Count, Max

from guanxi.customers.models import Customer, Transaction

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def truth(demo) -> dict[int, dict]:
    rows = pq.read_table(demo["truth"]).to_pylist()
    return {row["customer_id"]: row for row in rows}


@pytest.fixture
def purchases() -> dict[int, dict]:
    """Per customer with a purchase: their count and last purchase time (refunds aside)."""
    bought = (
        Transaction.objects.filter(amount__gt=0)
        .values("customer_id")
        .annotate(count=Count("id"), last=Max("occurred_at"))
    )
    return {row["customer_id"]: row for row in bought}


def test_the_truth_has_one_row_per_stored_customer(truth):
    assert sorted(truth) == sorted(Customer.objects.values_list("id", flat=True))


def test_no_customer_marked_stopped_buys_after_their_stop_date(truth, purchases):
    stopped = {i: row for i, row in truth.items() if row["stopped"]}
    assert len(stopped) > 10
    for customer_id, row in stopped.items():
        assert purchases[customer_id]["last"] == row["stopped_at"]
        later = Transaction.objects.filter(
            customer_id=customer_id, amount__gt=0, occurred_at__gt=row["stopped_at"]
        )
        assert not later.exists()


def test_a_customer_bought_exactly_when_the_truth_says_so(truth, purchases):
    assert {i for i, row in truth.items() if row["bought"]} == set(purchases)


def test_only_stopped_customers_have_a_stop_date(truth):
    for row in truth.values():
        assert (row["stopped_at"] is not None) == row["stopped"]
        assert row["bought"] or not row["stopped"]


def test_customers_who_did_not_stop_exist_and_keep_buying(truth, purchases):
    staying = [i for i, row in truth.items() if row["bought"] and not row["stopped"]]
    assert len(staying) > 30
    recent = max(p["last"] for p in purchases.values()) - dt.timedelta(days=90)
    recently = Transaction.objects.filter(
        customer_id__in=staying, amount__gt=0, occurred_at__gt=recent
    )
    assert recently.values("customer_id").distinct().count() > len(staying) / 3
