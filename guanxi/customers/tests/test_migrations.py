"""Data migrations of the customers app, run on a database with rows in it."""

from datetime import timedelta
from decimal import Decimal
from importlib import import_module

from django.apps import apps
from django.db import connection
from django.utils import timezone

from guanxi.customers.models import Customer, Transaction

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
