"""Churn features of a customer store as of a date: purchases, holdings, contacts, lifecycle.

:func:`store_features` builds one Ibis expression (it runs in the backend, DuckDB by
default) from the run's transaction log and the store's other tables, as they stood on a
given day, so the same code gives the training features of a past day and the scoring
features of today:

* purchases (rows with a positive amount) on or before the day: ``recency_days``,
  ``frequency`` (distinct purchase days), ``spend_3m``, ``spend_prev_3m`` (the 3 months
  before those), ``spend_trend`` (``(last - prev) / (last + prev)``, -1 = stopped, null when
  both are 0), ``spend_12m``; refunds (negative amounts) in the last 12 months:
  ``refunds_12m``;
* holdings open on the day (opened on or before it, not closed by it): ``n_products`` and
  ``balance_<kind>`` per product kind asked for. The store keeps only today's balance, so a
  past day's balances are today's balances of the accounts open then (closed accounts count
  0: the store zeroes them);
* ``n_contacts`` (contact persons; the store does not date them);
* lifecycle on the day: ``status`` (the last move on or before it; before the first move, the
  status that move left), ``status_changes`` (moves up to the day) and ``tenure_days``
  (from the customer's creation, or the first purchase without a ``customers`` table).

The population is every customer with a purchase on or before the day: the customers whose
"no purchase in the next months" label means something.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypedDict

import ibis
import ibis.expr.types as ir
import pandas as pd

from guanxi.analytics.summary import require_columns

__all__ = ["BALANCE_KINDS", "LogColumns", "StoreTables", "store_features"]

BALANCE_KINDS = ("deposit", "wealth", "loan", "plan")
"""Product kinds whose open balances become ``balance_<kind>`` features by default (a bank's
deposits, wealth products and loans; an operator's prepaid plans)."""


class LogColumns(TypedDict):
    """Column names of the transaction log the features and labels read."""

    customer_col: str
    date_col: str
    amount_col: str


@dataclass(frozen=True)
class StoreTables:
    """The store's tables the features read besides the transaction log (each optional).

    Attributes:
        holdings: ``customer_id``, ``kind`` (product kind), ``opened_at``, ``closed_at``
            (dates; null = open), ``balance``. All holdings, closed ones included.
        contacts: ``customer_id``, one row per contact person.
        lifecycle: ``customer_id``, ``from_status``, ``to_status``, ``changed_at`` (date).
        customers: ``customer_id``, ``created_at`` (date) and ``status`` (today's: the
            status of customers without lifecycle moves).
    """

    holdings: ir.Table | None = None
    contacts: ir.Table | None = None
    lifecycle: ir.Table | None = None
    customers: ir.Table | None = None


def months_before(day: dt.date, months: int) -> dt.date:
    """The same calendar day ``months`` earlier (the month's last day where it is shorter)."""
    return (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


def store_features(
    tx: ir.Table,
    day: dt.date,
    tables: StoreTables | None = None,
    *,
    customer_col: str = "customer_id",
    date_col: str = "day",
    amount_col: str = "amount",
    balance_kinds: tuple[str, ...] = BALANCE_KINDS,
    paid: ir.Table | None = None,
) -> ir.Table:
    """Per-customer features as of ``day`` (see the module docstring); nothing later is read.

    ``tx`` has ``customer_col``, ``date_col`` (a date) and ``amount_col``. The result has
    ``customer_id`` and the feature columns; absent tables leave their features out.
    ``paid``: the customers' days with a positive amount up to ``day`` already counted --
    ``customer_col``, ``first_paid``, ``last_paid``, ``paid_days``, as the customer summary
    gives them (``customer_summary(paid_days=True)`` with its period ending on ``day``):
    read instead of counting distinct days over the log, most of the features' cost.
    """
    require_columns(tx, customer_col, date_col, amount_col, what="transactions")
    tables = tables or StoreTables()
    t = tx.select(c=tx[customer_col], d=tx[date_col], a=tx[amount_col].cast("float64"))
    t = t.filter(t.c.notnull(), t.d.notnull(), t.d <= day)
    three, six, year = months_before(day, 3), months_before(day, 6), months_before(day, 12)
    bought = t.a > 0
    days: dict[str, ir.Value] = {}
    if paid is None:
        days = {
            "_first": t.d.min(where=bought),
            "_last": t.d.max(where=bought),
            "frequency": t.d.nunique(where=bought).cast("int64"),
        }
    per = t.group_by("c").aggregate(
        **days,
        spend_3m=t.a.sum(where=bought & (t.d > three)).fill_null(0.0),
        spend_prev_3m=t.a.sum(where=bought & (t.d > six) & (t.d <= three)).fill_null(0.0),
        spend_12m=t.a.sum(where=bought & (t.d > year)).fill_null(0.0),
        refunds_12m=(~bought & (t.d > year)).sum().cast("int64"),
    )
    if paid is not None:
        require_columns(paid, customer_col, "first_paid", "last_paid", "paid_days", what="paid")
        counted = paid.select(
            c=paid[customer_col],
            _first=paid.first_paid,
            _last=paid.last_paid,
            frequency=paid.paid_days.cast("int64"),
        )
        per = per.join(counted, "c")
    per = per.filter(per._last.notnull())
    lit = ibis.literal(day, type="date")
    scale = per.spend_3m + per.spend_prev_3m
    out = per.select(
        "c",
        "_first",
        recency_days=lit.delta(per._last, unit="day").cast("int64"),
        frequency=per.frequency,
        spend_3m=per.spend_3m,
        spend_prev_3m=per.spend_prev_3m,
        spend_trend=ibis.ifelse(
            scale > 0, (per.spend_3m - per.spend_prev_3m) / scale, ibis.null("float64")
        ),
        spend_12m=per.spend_12m,
        refunds_12m=per.refunds_12m,
    )
    if tables.holdings is not None:
        out = _left(out, _holdings(tables.holdings, day, balance_kinds), zero=True)
    if tables.contacts is not None:
        contacts = tables.contacts
        require_columns(contacts, "customer_id", what="contacts")
        counts = contacts.group_by(c=contacts.customer_id).aggregate(n_contacts=contacts.count())
        out = _left(out, counts, zero=True)
    if tables.lifecycle is not None:
        out = _left(out, _lifecycle(tables.lifecycle, day), zero=False)
        out = out.mutate(status_changes=out.status_changes.fill_null(0))
    created = None
    if tables.customers is not None:
        customers = tables.customers
        require_columns(customers, "customer_id", "created_at", what="customers")
        created = customers.select(
            c=customers.customer_id, _created=customers.created_at, _now=customers.status
        )
        out = _left(out, created, zero=False)
        if tables.lifecycle is not None:  # a customer who never moved has always had today's
            out = out.mutate(status=out.status.fill_null(out._now))
    start = out._created.fill_null(out._first) if created is not None else out._first
    out = out.mutate(tenure_days=ibis.greatest(lit.delta(start, unit="day"), 0).cast("int64"))
    drop = ["_first", "_created", "_now"] if created is not None else ["_first"]
    return out.drop(*drop).rename(customer_id="c")


def _holdings(holdings: ir.Table, day: dt.date, kinds: tuple[str, ...]) -> ir.Table:
    require_columns(
        holdings, "customer_id", "kind", "opened_at", "closed_at", "balance", what="holdings"
    )
    h = holdings
    h = h.filter(h.opened_at <= day, h.closed_at.isnull() | (h.closed_at > day))
    balance = h.balance.cast("float64")
    return h.group_by(c=h.customer_id).aggregate(
        n_products=h.count(),
        **{f"balance_{k}": balance.sum(where=h.kind == k).fill_null(0.0) for k in kinds},
    )


def _lifecycle(lifecycle: ir.Table, day: dt.date) -> ir.Table:
    """Status on ``day`` and moves up to it, per customer with any move."""
    require_columns(
        lifecycle, "customer_id", "from_status", "to_status", "changed_at", what="lifecycle"
    )
    lc = lifecycle
    before = lc.changed_at <= day
    per = lc.group_by(c=lc.customer_id).aggregate(
        status_changes=before.sum().cast("int64"),
        _after=lc.to_status.argmax(ibis.ifelse(before, lc.changed_at, None)),
        _before=lc.from_status.argmin(ibis.ifelse(before, None, lc.changed_at)),
    )
    # No move yet on the day: the status the first later move started from.
    return per.select(
        "c",
        "status_changes",
        status=ibis.ifelse(per.status_changes > 0, per._after, per._before),
    )


def _left(base: ir.Table, extra: ir.Table, *, zero: bool) -> ir.Table:
    """``base`` with ``extra``'s columns (keyed ``c``); missing numbers are 0 when ``zero``."""
    joined = base.left_join(extra, "c")
    new = {name: joined[name] for name in extra.columns if name != "c"}
    if zero:
        new = {name: value.fill_null(0) for name, value in new.items()}
    return joined.select(*base.columns, **new)
