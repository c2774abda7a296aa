"""Refunds reverse earlier purchases of the same customer, in full or in part."""

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest

from guanxi.customers.models import Transaction
from guanxi.demo.chunk import generate_chunk
from guanxi.demo.names import NamePool
from guanxi.demo.tests.test_chunk import _world


def _purchases_by_customer_and_product() -> dict[tuple[int, int], list[Transaction]]:
    purchases = defaultdict(list)
    for purchase in Transaction.objects.filter(amount__gt=0):
        purchases[purchase.customer_id, purchase.product_id].append(purchase)
    return purchases


@pytest.mark.django_db
def test_refunds_are_a_few_percent_of_transactions(demo):
    refunds = Transaction.objects.filter(amount__lt=0).count()
    total = Transaction.objects.count()
    assert 0.01 * total < refunds < 0.05 * total


@pytest.mark.django_db
def test_no_customer_is_refunded_more_than_they_bought(demo):
    bought: dict[int, Decimal] = defaultdict(Decimal)
    refunded: dict[int, Decimal] = defaultdict(Decimal)
    for customer, amount in Transaction.objects.values_list("customer_id", "amount"):
        if amount > 0:
            bought[customer] += amount
        else:
            refunded[customer] -= amount
    assert refunded
    for customer, amount in refunded.items():
        assert amount <= bought[customer]


@pytest.mark.django_db
def test_the_largest_refund_is_no_larger_than_the_largest_purchase(demo):
    amounts = list(Transaction.objects.values_list("amount", flat=True))
    assert 0 < -min(amounts) <= max(amounts)


@pytest.mark.django_db
def test_every_refund_follows_a_purchase_of_the_same_product_that_covers_it(demo):
    purchases = _purchases_by_customer_and_product()
    for refund in Transaction.objects.filter(amount__lt=0):
        earlier = purchases[refund.customer_id, refund.product_id]
        assert any(
            p.occurred_at < refund.occurred_at and p.amount >= -refund.amount for p in earlier
        )


@pytest.mark.django_db
def test_some_refunds_return_a_whole_purchase_and_some_part_of_one(demo):
    purchases = _purchases_by_customer_and_product()
    refunds = list(Transaction.objects.filter(amount__lt=0))
    whole = [
        r
        for r in refunds
        if any(p.amount == -r.amount for p in purchases[r.customer_id, r.product_id])
    ]
    assert 0 < len(whole) < len(refunds)


def test_refunds_leave_the_purchase_history_as_the_seed_made_it():
    world = _world()
    without = replace(world, industry=replace(world.industry, refunds={}))
    names = NamePool()

    def purchases(w) -> list[tuple]:
        chunk = generate_chunk(np.random.default_rng([5, 1]), w, names, 1, 500)
        columns = {c.name: c.values for c in chunk.transactions.columns}
        bought = columns["amount"] > 0
        return list(
            zip(
                columns["customer_id"][bought].tolist(),
                columns["occurred_at"][bought].tolist(),
                columns["amount"][bought].tolist(),
                strict=True,
            )
        )

    assert purchases(world) == purchases(without)
