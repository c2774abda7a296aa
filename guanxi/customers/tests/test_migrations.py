"""Migrations of the customers app: data filled in, indexes and collations as search needs."""

from datetime import timedelta
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from guanxi.customers.models import Customer, Transaction
from guanxi.customers.search import search_terms

totals_migration = import_module("guanxi.customers.migrations.0002_transaction_totals")


def test_running_totals_are_filled_in_from_existing_transactions(make_customer):
    buyer, idle = make_customer(), make_customer()
    now = timezone.now()
    for days, amount in [(40, "80.00"), (20, "-80.00"), (3, "15.00")]:
        Transaction.objects.create(
            customer=buyer,
            amount=Decimal(amount),
            channel="branch",
            occurred_at=now - timedelta(days=days),
        )
    Customer.objects.update(transaction_count=99, first_purchase_at=now)

    totals_migration.fill_totals(apps, connection.schema_editor())

    buyer.refresh_from_db()
    idle.refresh_from_db()
    assert buyer.transaction_count == 3
    assert buyer.first_purchase_at == now - timedelta(days=40)
    assert idle.transaction_count == 0 and idle.first_purchase_at is None


def test_the_customer_table_has_its_list_indexes_and_no_single_column_duplicates(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "customers_customer")
    indexed = [
        tuple(c["columns"]) for c in constraints.values() if c["index"] and not c["primary_key"]
    ]
    assert ("name_pinyin", "id") in indexed
    assert ("branch_id", "status", "name_pinyin", "id") in indexed
    for column in ("name_pinyin", "branch_id", "owner_id"):
        assert (column,) not in indexed  # composite indexes starting with it serve instead
    assert indexed.count(("name_initials",)) == 1  # no second, LIKE-only copy


SEARCHED_BY_PREFIX = ("name", "name_pinyin", "name_initials")


@pytest.mark.postgres_only
def test_the_columns_searched_by_prefix_compare_bytes_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, collation_name FROM information_schema.columns"
            " WHERE table_name = 'customers_customer' AND column_name = ANY(%s)",
            [list(SEARCHED_BY_PREFIX)],
        )
        assert dict(cursor.fetchall()) == dict.fromkeys(SEARCHED_BY_PREFIX, "C")


@pytest.mark.postgres_only
def test_a_prefix_search_is_answered_from_the_indexes_on_postgresql(make_customer):
    make_customer("张三")
    condition = search_terms("zhang").condition().any
    with connection.cursor() as cursor:
        # A handful of rows is read faster whole; forbidding that shows what else can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Customer.objects.filter(condition).values("pk").explain()
    # Which index serves a column depends on the statistics of these few rows (after an
    # ANALYZE, even (value_tier, name_pinyin) may): each prefix range must be an index
    # condition, not a filter.
    conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    for column in ("name_pinyin", "name_initials", "name"):
        assert any(f"(({column})::text >= 'zhang'" in line for line in conditions), plan


def test_the_columns_searched_by_prefix_have_no_collation_of_their_own_on_sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's schema")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'customers_customer'")
        (table,) = cursor.fetchone()
    assert '"name" varchar(200) NOT NULL' in table  # BINARY, which compares bytes
    assert "COLLATE" not in table


def test_the_organisation_columns_were_added_without_copying_the_table_on_sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's schema")
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'customers_customer'")
        (table,) = cursor.fetchone()
    # ALTER TABLE ... ADD COLUMN appends the definition as written, default included; a
    # table rebuilt by Django's schema editor would state no default.
    for column in ('"industry" varchar(32)', '"legal_representative" varchar(100)'):
        assert f"{column} DEFAULT '' NOT NULL" in table
    assert """"uscc" varchar(18) DEFAULT '' NOT NULL""" in table
    assert '"registered_capital" decimal NULL' in table


def test_a_credit_code_is_found_through_its_index(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "customers_customer")
    assert any(c["index"] and c["columns"] == ["uscc"] for c in constraints.values())
