"""Compiled queries give exactly what the querysets they were built from give, and a build
whose SQL would not compare with its parameters is refused at its first use."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Q, QuerySet, Value
from django.utils import timezone

from guanxi.compiled_query import CompiledQuery, ShapedQuery, UnsafeBuild
from guanxi.customers import history, selectors
from guanxi.customers.models import Customer, Transaction
from guanxi.insights import customer_360


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


def test_constants_of_any_kind_beside_the_parameters_are_kept(make_customer):
    @CompiledQuery
    def flagged(customer_id: int) -> QuerySet:
        flags = {"seen": Value(False), "rank": Value(3), "label": Value("客户")}
        return Customer.objects.filter(pk=customer_id).annotate(**flags).values("pk", *flags)

    _sql, params = flagged.__wrapped__(customer_id=7).query.sql_with_params()
    assert {False, 3, "客户"} <= set(params)  # they are SQL parameters, not text
    zhang = make_customer("张三")
    assert flagged.rows(customer_id=zhang.pk) == [
        {"pk": zhang.pk, "seen": False, "rank": 3, "label": "客户"}
    ]


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


@pytest.mark.django_db
def test_a_parameter_turned_into_none_is_refused():
    # The stand-in of a viewer without an id once compiled to "owner_id IS NULL": the
    # compiled query then listed every unowned customer to everyone.
    @ShapedQuery
    def owned_by(shape: str, owner_id: int) -> QuerySet:
        return Customer.objects.filter(owner_id=owner_id if owner_id > 0 else None).values("pk")

    with pytest.raises(UnsafeBuild, match="shapes"):
        owned_by.rows("any", owner_id=7)


@pytest.mark.django_db
def test_a_parameter_dropped_by_the_shape_is_refused():
    @ShapedQuery
    def owned_by(shape: str, owner_id: int) -> QuerySet:
        return Customer.objects.filter(owner_id=None if shape == "unowned" else owner_id)

    assert owned_by.rows("owned", owner_id=7) == []
    with pytest.raises(UnsafeBuild, match="owner_id never reaches the SQL"):
        owned_by.rows("unowned", owner_id=7)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "build",
    [
        lambda customer_id, name: Customer.objects.filter(pk=customer_id + 1, name=name),
        lambda customer_id, name: Customer.objects.filter(pk=customer_id, name=name + "z"),
        lambda customer_id, name: Customer.objects.filter(pk=customer_id, name__startswith=name),
        lambda customer_id, name: Customer.objects.filter(pk=abs(customer_id), name=name),
    ],
    ids=["number plus one", "text plus a letter", "text made a LIKE pattern", "absolute"],
)
def test_a_value_computed_from_a_parameter_is_refused(build):
    def by(customer_id: int, name: str) -> QuerySet:
        return build(customer_id, name).values("pk")

    with pytest.raises(UnsafeBuild, match="computed"):
        CompiledQuery(by).rows(customer_id=1, name="张三")


@pytest.mark.django_db
def test_a_parameter_that_chooses_the_filter_is_refused():
    @CompiledQuery
    def by_sign(customer_id: int) -> QuerySet:
        if customer_id > 0:
            return Customer.objects.filter(pk=customer_id).values("pk")
        return Customer.objects.filter(owner_id=customer_id).values("pk")

    with pytest.raises(UnsafeBuild, match="shapes"):
        by_sign.rows(customer_id=1)


@pytest.mark.django_db
def test_a_shaped_query_refuses_a_parameter_its_shape_does_not_compare_with():
    @ShapedQuery
    def by_name(shape: str, **values) -> QuerySet:
        return Customer.objects.filter(name=values["name"]).values("pk")

    assert by_name.rows("plain", name="张三") == []
    with pytest.raises(UnsafeBuild, match="status never reaches"):
        by_name.rows("plain", name="张三", status="loyal")


@pytest.mark.django_db
def test_every_compiled_read_of_the_code_base_compiles():
    compiled = [
        query
        for module in (selectors, history, customer_360)
        for query in vars(module).values()
        if isinstance(query, CompiledQuery)
    ]
    assert len(compiled) >= 8
    for query in compiled:
        values = {name: 1 if kind is int else "x" for name, kind in query._types.items()}
        assert query.rows(**values) == []


def test_a_shaped_count_counts_the_rows_of_its_shape_up_to_its_limit(make_customer):
    for name in ("张一", "张二", "张三"):
        make_customer(name)
    make_customer("华为技术有限公司", kind="organisation", id_number="")

    @ShapedQuery
    def of_kind(limit: int, kind: str) -> QuerySet:
        return Customer.objects.filter(kind=kind).order_by().values("pk")[:limit]

    assert of_kind.count(10, kind="individual") == 3
    assert of_kind.count(2, kind="individual") == 2
    assert of_kind.count(10, kind="organisation") == 1
    assert of_kind.count(10, kind="nobody") == 0
