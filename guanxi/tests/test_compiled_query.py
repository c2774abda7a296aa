"""Compiled queries give exactly what the querysets they were built from give."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Q, QuerySet
from django.utils import timezone

from guanxi.compiled_query import CompiledQuery
from guanxi.customers.models import Customer, Transaction


@CompiledQuery
def purchases_of(customer_id: int) -> QuerySet:
    return (
        Transaction.objects.filter(customer_id=customer_id, amount__gt=0)
        .order_by("-occurred_at")
        .values("occurred_at", "amount", "channel", "customer__name")
    )


@CompiledQuery
def named_or_numbered(name: str, customer_id: int) -> QuerySet:
    # ``name`` is compared twice: both places take the value.
    return (
        Customer.objects.filter(Q(name=name) | Q(pk=customer_id) | Q(external_id=name))
        .order_by("pk")
        .values("pk", "name", "custom_fields")
    )


def _book(customer, amount: str, days_ago: int) -> None:
    Transaction.objects.create(
        customer=customer,
        amount=Decimal(amount),
        channel="mobile",
        occurred_at=timezone.now() - timedelta(days=days_ago),
    )


def test_rows_equal_the_querysets_rows_for_each_parameter_value(make_customer):
    first, second = make_customer("张三"), make_customer("李四")
    _book(first, "10.50", 3)
    _book(first, "-2.00", 2)
    _book(second, "99.99", 1)
    for customer in (first, second):
        expected = list(purchases_of.__wrapped__(customer.pk))
        assert purchases_of.rows(customer_id=customer.pk) == expected
    rows = purchases_of.rows(customer_id=first.pk)
    assert rows == [
        {
            "occurred_at": rows[0]["occurred_at"],
            "amount": Decimal("10.50"),
            "channel": "mobile",
            "customer__name": "张三",
        }
    ]
    assert rows[0]["occurred_at"].tzinfo is not None  # converted as the ORM converts


def test_a_parameter_used_twice_takes_the_value_everywhere(make_customer):
    zhang, li = make_customer("张三", external_id="ZS-1"), make_customer("李四")
    rows = named_or_numbered.rows(name="张三", customer_id=li.pk)
    assert [r["pk"] for r in rows] == sorted([zhang.pk, li.pk])
    assert rows[0]["custom_fields"] == {}  # JSON decoded
    assert [r["pk"] for r in named_or_numbered.rows(name="ZS-1", customer_id=0)] == [zhang.pk]
    assert named_or_numbered.rows(name="王五", customer_id=0) == []


def test_only_int_and_str_parameters_can_be_compiled():
    with pytest.raises(TypeError, match="when"):

        @CompiledQuery
        def by_time(when) -> QuerySet:
            return Transaction.objects.filter(occurred_at__gte=when).values("id")


@pytest.mark.django_db
def test_a_parameter_that_changes_the_shape_is_refused():
    @CompiledQuery
    def first_n(count: int) -> QuerySet:
        return Customer.objects.values("pk")[: max(count, 1)]

    with pytest.raises(ValueError, match="shape"):
        first_n.rows(count=3)
