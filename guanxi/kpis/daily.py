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
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import connection, transaction
from django.db.models import Count, DateField, F, Model, QuerySet, Sum, Value
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


@dataclass(frozen=True)
class DayFigure:
    """One day figure: its model, the time of its source rows, and the columns it is kept
    by besides the day, branch and owner (the model's column: the source rows' value)."""

    name: str
    model: str
    moment: str
    keys: dict[str, str] = field(default_factory=dict)


CONTACTS = DayFigure(
    "contacts", "ContactDay", "starts_at", {"value_tier": "customer__value_tier", "kind": "kind"}
)
REVENUE = DayFigure("revenue", "RevenueDay", "occurred_at")
MOVES = DayFigure(
    "moves", "MoveDay", "changed_at", {"from_status": "from_status", "to_status": "to_status"}
)


def _sum_into(
    apps: Apps, figure: DayFigure, rows: QuerySet, on: dt.date | None = None, **total
) -> None:
    """``INSERT INTO`` the figure's table the sums of ``rows`` per local day (all ``on``
    that day, if given) and portfolio, inside the database: no row passes through Python."""
    model = apps.get_model("kpis", figure.model)
    # A given day spares turning each time into a local day (in Python, on SQLite).
    day = TruncDate(figure.moment) if on is None else Value(on, output_field=DateField())
    select = (
        rows.annotate(day=day)
        .values("day", *_PORTFOLIO, *figure.keys.values())
        .annotate(**total)
        .order_by()
    )
    sql, params = select.query.sql_with_params()
    columns = {f.name: f.column for f in model._meta.concrete_fields}
    names = ["day", "branch", "owner", *figure.keys, *total]
    quoted = ", ".join(connection.ops.quote_name(columns[name]) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({quoted}) {sql}", params)


def contacts_resum(days: Iterable[dt.date]) -> None:
    """Sum the done contacts of each of ``days`` again, replacing what was kept for it."""
    for day in sorted(set(days)):
        since, until = _midnight(day), _midnight(day + dt.timedelta(days=1))
        of_day = _done_contacts().filter(starts_at__gte=since, starts_at__lt=until)
        with transaction.atomic():
            ContactDay.objects.filter(day=day).delete()
            _sum_into(global_apps, CONTACTS, of_day, on=day, done=Count("id"))


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


def days_rebuild(apps: Apps = global_apps) -> dict[str, int]:
    """Sum every day again from the source tables; returns the rows kept per figure. A
    migration passes its ``apps``, so the rebuild reads the tables as they are there."""
    transactions = apps.get_model("customers", "Transaction")._default_manager.all()
    # A customer's first status (from none) is their creation, not a move.
    moves = apps.get_model("customers", "LifecycleChange")._default_manager.exclude(from_status="")
    figures = (CONTACTS, REVENUE, MOVES)
    with transaction.atomic():
        for figure in figures:
            apps.get_model("kpis", figure.model)._default_manager.all().delete()
        contacts = _done_contacts(apps.get_model("activities", "Activity"))
        _sum_into(apps, CONTACTS, contacts, done=Count("id"))
        _sum_into(apps, REVENUE, transactions, amount=Sum("amount"))
        _sum_into(apps, MOVES, moves, moves=Count("id"))
    return {f.name: apps.get_model("kpis", f.model)._default_manager.count() for f in figures}
