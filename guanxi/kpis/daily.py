"""Keeping the day figures of ``guanxi.kpis.models`` in step with the source tables.

Contacts are summed again a whole day at a time, because an activity can still change (be
done, cancelled, or moved to another day), and one day's contact activities are few to read
along the index of kind and start. Transactions and lifecycle moves never change once
written, so each is added to its day as its event arrives. Either way a day's figures count
for the customer's branch, owner and value tier as they stand when it is summed: a customer
handed over keeps the past contacts with the account manager who made them.

Data loaded without events (demo data, a restore) is summed by :func:`days_rebuild`.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import connection, transaction
from django.db.models import Count, F, Model, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from guanxi.activities.models import Activity, ActivityKind, ActivityStatus
from guanxi.customers.models import Customer
from guanxi.kpis.models import ContactDay, MoveDay, RevenueDay

K = ActivityKind
CONTACT_KINDS = (K.VISIT, K.CALL, K.MEETING)
_PORTFOLIO = ("customer__branch_id", "customer__owner_id")


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _done_contacts(activities: type[Model] = Activity) -> QuerySet:
    # Contacts with customers: an activity about a lead alone has no portfolio to count for.
    return activities._default_manager.filter(
        kind__in=CONTACT_KINDS, status=ActivityStatus.DONE, customer__isnull=False
    )


def contacts_resum(days: Iterable[dt.date]) -> None:
    """Sum the done contacts of each of ``days`` again, replacing what was kept for it."""
    for day in sorted(set(days)):
        of_day = _done_contacts().filter(
            starts_at__gte=_midnight(day), starts_at__lt=_midnight(day + dt.timedelta(days=1))
        )
        rows = (
            of_day.values(*_PORTFOLIO, "customer__value_tier", "kind")
            .annotate(done=Count("id"))
            .order_by()
        )
        with transaction.atomic():
            ContactDay.objects.filter(day=day).delete()
            ContactDay.objects.bulk_create(
                ContactDay(
                    day=day,
                    branch_id=row["customer__branch_id"],
                    owner_id=row["customer__owner_id"],
                    value_tier=row["customer__value_tier"],
                    kind=row["kind"],
                    done=row["done"],
                )
                for row in rows
            )


def _add(model: type[Model], customer_id: int, day: dt.date, column: str, more, **key) -> None:
    """Add ``more`` to ``column`` of the customer's portfolio row of ``day`` (made if new).
    A handler receives its events one at a time, so two additions never race to make it."""
    portfolio = Customer.objects.filter(pk=customer_id).values("branch_id", "owner_id").first()
    if portfolio is None:  # erased since
        return
    rows = model._default_manager.filter(day=day, **portfolio, **key)
    if not rows.update(**{column: F(column) + more}):
        model._default_manager.create(day=day, **portfolio, **key, **{column: more})


def revenue_add(*, customer_id: int, occurred_at: dt.datetime, amount: Decimal) -> None:
    """Add a booked transaction to its day's revenue."""
    _add(RevenueDay, customer_id, timezone.localdate(occurred_at), "amount", amount)


def move_add(*, customer_id: int, moved_at: dt.datetime, from_status: str, to_status: str) -> None:
    """Count a lifecycle move on its day."""
    day = timezone.localdate(moved_at)
    key = {"from_status": from_status, "to_status": to_status}
    _add(MoveDay, customer_id, day, "moves", 1, **key)


def _insert_from(model: type[Model], columns: list[str], select: QuerySet) -> None:
    """``INSERT INTO`` the model's table the rows of ``select`` (its columns in the order of
    ``columns``), inside the database: no row passes through Python."""
    sql, params = select.query.sql_with_params()
    fields = {field.name: field.column for field in model._meta.concrete_fields}
    names = ", ".join(connection.ops.quote_name(fields[c]) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) {sql}", params)


def days_rebuild(apps: Apps = global_apps) -> dict[str, int]:
    """Sum every day again from the source tables; returns the rows kept per figure. A
    migration passes its ``apps``, so the rebuild reads the tables as they are there."""
    contact_days, revenue_days, move_days = (
        apps.get_model("kpis", name) for name in ("ContactDay", "RevenueDay", "MoveDay")
    )
    with transaction.atomic():
        for model in (contact_days, revenue_days, move_days):
            model._default_manager.all().delete()
        contacts = (
            _done_contacts(apps.get_model("activities", "Activity"))
            .annotate(day=TruncDate("starts_at"))
            .values("day", *_PORTFOLIO, "customer__value_tier", "kind")
            .annotate(done=Count("id"))
            .order_by()
        )
        _insert_from(
            contact_days, ["day", "branch", "owner", "value_tier", "kind", "done"], contacts
        )
        revenue = (
            apps.get_model("customers", "Transaction")
            ._default_manager.annotate(day=TruncDate("occurred_at"))
            .values("day", *_PORTFOLIO)
            .annotate(amount=Sum("amount"))
            .order_by()
        )
        _insert_from(revenue_days, ["day", "branch", "owner", "amount"], revenue)
        # A customer's first status (from none) is their creation, not a move.
        moves = (
            apps.get_model("customers", "LifecycleChange")
            ._default_manager.exclude(from_status="")
            .annotate(day=TruncDate("changed_at"))
            .values("day", *_PORTFOLIO, "from_status", "to_status")
            .annotate(moves=Count("id"))
            .order_by()
        )
        _insert_from(
            move_days, ["day", "branch", "owner", "from_status", "to_status", "moves"], moves
        )
    return {
        "contacts": contact_days._default_manager.count(),
        "revenue": revenue_days._default_manager.count(),
        "moves": move_days._default_manager.count(),
    }
