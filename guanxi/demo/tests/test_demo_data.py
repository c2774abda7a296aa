"""``guanxi demo-data`` writes consistent, valid and realistically uneven data."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max, Min, Q, Sum
from stdnum.cn import ric

from guanxi.customers.identity import normalise_email, normalise_phone, parse_resident_id
from guanxi.customers.models import (
    Contact,
    Customer,
    CustomerKind,
    LifecycleStatus,
    Transaction,
)
from guanxi.customers.pinyin import initials_key, pinyin_key
from guanxi.demo.tests.conftest import schema_definitions
from guanxi.org.models import Profile
from guanxi.org.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(demo) -> list[Customer]:
    return list(Customer.objects.all())


def test_every_phone_is_stored_as_normalise_phone_stores_it(customers):
    for customer in customers:
        assert normalise_phone(customer.phone) == customer.phone
        assert customer.phone_last4 == customer.phone[-4:]


def test_every_person_has_a_valid_resident_id_matching_birthday_and_gender(customers):
    people = [c for c in customers if c.kind == CustomerKind.INDIVIDUAL]
    assert people
    for person in people:
        assert ric.validate(person.id_number) == person.id_number
        resident = parse_resident_id(person.id_number)
        assert resident.birthday == person.birthday
        assert resident.gender == person.gender


def test_emails_are_valid_and_lower_case(customers):
    emails = [c.email for c in customers if c.email]
    assert 0.3 * len(customers) < len(emails)
    for email in emails:
        assert normalise_email(email) == email


def test_pinyin_columns_equal_the_keys_of_the_name(customers):
    for customer in customers:
        assert customer.name_pinyin == pinyin_key(customer.name)
        assert customer.name_initials == initials_key(customer.name)


def test_running_totals_of_customers_match_their_transactions(customers):
    totals = {
        row["customer_id"]: row
        for row in Transaction.objects.values("customer_id").annotate(
            total=Sum("amount"),
            count=Count("id"),
            first_purchase=Min("occurred_at", filter=Q(amount__gt=0)),
            last_purchase=Max("occurred_at", filter=Q(amount__gt=0)),
            first=Min("occurred_at"),
        )
    }
    for customer in customers:
        row = totals.get(customer.pk)
        if row is None:
            assert customer.lifetime_revenue == 0
            assert customer.transaction_count == 0
            assert customer.first_purchase_at is None and customer.last_purchase_at is None
            continue
        # SQLite sums money as floats; the customer row keeps exact cents.
        assert customer.lifetime_revenue == row["total"].quantize(Decimal("0.01"))
        assert customer.transaction_count == row["count"]
        assert customer.first_purchase_at == row["first_purchase"]
        assert customer.last_purchase_at == row["last_purchase"]
        assert customer.created_at < row["first"]


def test_a_fifth_of_customers_bring_well_over_half_the_revenue(customers):
    revenue = np.sort([float(c.lifetime_revenue) for c in customers])[::-1]
    assert revenue[: len(revenue) // 5].sum() > 0.6 * revenue.sum()


def test_some_customers_stopped_buying(customers):
    end = Transaction.objects.aggregate(end=Max("occurred_at"))["end"]
    stopped = [
        c
        for c in customers
        if c.last_purchase_at is not None and end - c.last_purchase_at > timedelta(days=60)
    ]
    assert len(stopped) > 0.05 * len(customers)


def test_lifecycle_status_agrees_with_the_history(customers):
    purchases = Transaction.objects.filter(amount__gt=0)  # refunds are not purchases
    counts = dict(purchases.values_list("customer_id").annotate(n=Count("id")).order_by())
    end = Transaction.objects.aggregate(end=Max("occurred_at"))["end"]
    for customer in customers:
        bought = counts.get(customer.pk, 0)
        assert (customer.status == LifecycleStatus.PROSPECT) == (bought == 0)
        if customer.status == LifecycleStatus.NEW:
            assert bought == 1
        if customer.status == LifecycleStatus.LOYAL:
            assert bought >= 12
        if customer.status in (LifecycleStatus.INACTIVE, LifecycleStatus.LOST):
            assert end - customer.last_purchase_at > timedelta(days=179)


def test_organisations_are_about_five_percent_and_have_one_primary_contact(customers):
    organisations = [c for c in customers if c.kind == CustomerKind.ORGANISATION]
    assert 0 < len(organisations) < 0.12 * len(customers)
    for organisation in organisations:
        contacts = list(Contact.objects.filter(customer=organisation))
        assert contacts
        assert sum(c.is_primary for c in contacts) == 1
        assert not organisation.id_number and organisation.birthday is None


def test_customers_belong_to_account_managers_of_their_branch(customers):
    profiles = {p.user_id: p for p in Profile.objects.all()}
    for customer in customers:
        if customer.owner_id is None:
            continue
        profile = profiles[customer.owner_id]
        assert Role.ACCOUNT_MANAGER in profile.roles
        assert profile.branch_id == customer.branch_id


def test_rows_respect_foreign_keys_and_the_schema_is_the_migrated_one(demo):
    connection.check_constraints()
    assert schema_definitions() == demo["schema_before"]


def test_refuses_to_generate_into_a_database_with_customers(demo):
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo_data", customers=10, verbosity=0)


def test_parquet_export_matches_the_database(demo):
    transactions = pq.read_table(demo["parquet"] / "transactions.parquet")
    assert transactions.column_names == [
        "customer_id",
        "occurred_at",
        "amount",
        "product_code",
        "channel",
    ]
    assert transactions.num_rows == Transaction.objects.count()
    total = Transaction.objects.aggregate(total=Sum("amount"))["total"]
    assert round(sum(transactions["amount"].to_pylist()), 2) == pytest.approx(float(total))
    customers = pq.read_table(demo["parquet"] / "customers.parquet")
    assert customers.num_rows == Customer.objects.count()
    assert sorted(customers["customer_id"].to_pylist()) == sorted(
        Customer.objects.values_list("pk", flat=True)
    )


def test_people_became_customers_as_adults(customers):
    for person in customers:
        if person.kind == CustomerKind.INDIVIDUAL:
            assert person.created_at.date() - person.birthday >= timedelta(days=18 * 365)
