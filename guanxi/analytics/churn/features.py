"""Churn features and labels from a transaction log (Ibis expressions that run in the backend)."""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from guanxi.analytics.summary import require_columns

DateLike = dt.date | dt.datetime | str


def _as_day(value: DateLike, name: str) -> dt.date:
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}={value!r} is not a date") from exc


def _day(table: ir.Table, column: str) -> ir.DateValue:
    col = table[column]
    dtype = col.type()
    if dtype.is_timestamp():
        return col.date()
    if dtype.is_date():
        return col
    if dtype.is_string():
        return col.cast("date")
    raise ValueError(f"column {column!r} must be a date, timestamp or ISO date text, not {dtype}")


def churn_features(
    transactions: ir.Table,
    as_of: DateLike,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    holdings: ir.Table | None = None,
    product_col: str = "product",
    cases: ir.Table | None = None,
    contacts: ir.Table | None = None,
    surveys: ir.Table | None = None,
    score_col: str = "score",
    event_date_col: str = "date",
    window_days: int = 365,
) -> ir.Table:
    """Per-customer churn features as of ``as_of`` (an Ibis expression; nothing runs yet).

    Only transactions dated on or before ``as_of`` count, so features never see the label
    period. One row per customer with at least one such transaction:

    * ``recency_days`` -- days from the last transaction to ``as_of``;
    * ``frequency`` -- distinct transaction days; ``monetary`` -- sum of amounts (net of
      returns);
    * ``spend_last_3m`` -- amounts in the 3 calendar months up to ``as_of`` (exclusive start),
      ``spend_prev_3m`` -- the 3 months before that, ``spend_trend`` --
      ``(last - prev) / (|last| + |prev|)`` in [-1, 1] (-1 = stopped spending, null when
      both are 0);
    * ``tenure_days`` -- days from the first transaction to ``as_of``;
    * with ``holdings`` (``customer_col``, ``product_col``; a current snapshot):
      ``n_products``, distinct products held (0 if none);
    * with ``cases`` / ``contacts`` (``customer_col``, ``event_date_col``): ``n_cases`` /
      ``n_contacts`` in the ``window_days`` up to ``as_of``;
    * with ``surveys`` (``customer_col``, ``event_date_col``, ``score_col``): ``n_surveys``
      and ``avg_satisfaction`` (null if none) in the same window.
    """
    day = _as_day(as_of, "as_of")
    require_columns(transactions, customer_col, date_col, amount_col, what="transactions")
    t = transactions.select(
        _c=transactions[customer_col],
        _d=_day(transactions, date_col),
        _a=transactions[amount_col].cast("float64"),
    )
    t = t.filter(t._c.notnull(), t._d.notnull(), t._d <= day)
    three, six = _months_before(day, 3), _months_before(day, 6)
    per = t.group_by("_c").aggregate(
        _first=t._d.min(),
        _last=t._d.max(),
        frequency=t._d.nunique(),
        monetary=t._a.sum(),
        spend_last_3m=t._a.sum(where=t._d > three).fill_null(0.0),
        spend_prev_3m=t._a.sum(where=(t._d > six) & (t._d <= three)).fill_null(0.0),
    )
    as_of_lit = ibis.literal(day, type="date")
    scale = per.spend_last_3m.abs() + per.spend_prev_3m.abs()
    out = per.select(
        per._c,
        recency_days=as_of_lit.delta(per._last, unit="day").cast("int64"),
        frequency=per.frequency.cast("int64"),
        monetary=per.monetary,
        spend_last_3m=per.spend_last_3m,
        spend_prev_3m=per.spend_prev_3m,
        spend_trend=ibis.ifelse(
            scale > 0, (per.spend_last_3m - per.spend_prev_3m) / scale, ibis.null("float64")
        ),
        tenure_days=as_of_lit.delta(per._first, unit="day").cast("int64"),
    )
    if holdings is not None:
        require_columns(holdings, customer_col, product_col, what="holdings")
        held = holdings.group_by(_c=holdings[customer_col]).aggregate(
            n_products=holdings[product_col].nunique()
        )
        out = _join_counts(out, held, {"n_products": 0})
    window_start = day - dt.timedelta(days=window_days)
    for name, table in (("cases", cases), ("contacts", contacts)):
        if table is not None:
            events = _window(table, customer_col, event_date_col, window_start, day, name)
            counts = events.group_by("_c").aggregate(**{f"n_{name}": events.count()})
            out = _join_counts(out, counts, {f"n_{name}": 0})
    if surveys is not None:
        require_columns(surveys, score_col, what="surveys")
        events = _window(surveys, customer_col, event_date_col, window_start, day, "surveys")
        stats = events.group_by("_c").aggregate(
            n_surveys=events.count(), avg_satisfaction=events[score_col].cast("float64").mean()
        )
        out = _join_counts(out, stats, {"n_surveys": 0})
    return out.rename({customer_col: "_c"})


def _months_before(day: dt.date, months: int) -> dt.date:
    return (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


def _window(
    table: ir.Table, customer_col: str, date_col: str, start: dt.date, end: dt.date, what: str
) -> ir.Table:
    """Rows of ``table`` dated in ``(start, end]``, with the customer renamed ``_c``."""
    require_columns(table, customer_col, date_col, what=what)
    t = table.mutate(_c=table[customer_col], _d=_day(table, date_col))
    return t.filter(t._d > start, t._d <= end)


def _join_counts(base: ir.Table, extra: ir.Table, zero_fill: dict[str, int]) -> ir.Table:
    """Left-join per-customer ``extra`` (keyed ``_c``) onto ``base``; absent counts become 0."""
    joined = base.left_join(extra, "_c")
    new = {c: joined[c] for c in extra.columns if c != "_c"}
    for column, zero in zero_fill.items():
        new[column] = new[column].fill_null(zero)
    return joined.select(*base.columns, **new)


def churn_labels(
    transactions: ir.Table,
    as_of: DateLike,
    horizon_days: int,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = None,
) -> ir.Table:
    """Churn label per customer: no transaction in the ``horizon_days`` after ``as_of``.

    Customers are those with a transaction on or before ``as_of`` (the population of
    :func:`churn_features`). ``churned`` is 1 when they have none in
    ``(as_of, as_of + horizon_days]``, else 0. With ``amount_col``, only rows with a
    positive amount count as purchases (a refund is not a sign of life).
    """
    if horizon_days < 1:
        raise ValueError("horizon_days must be >= 1")
    day = _as_day(as_of, "as_of")
    require_columns(transactions, customer_col, date_col, amount_col, what="transactions")
    t = transactions.mutate(_c=transactions[customer_col], _d=_day(transactions, date_col))
    if amount_col is not None:
        t = t.filter(t[amount_col] > 0)
    t = t.filter(t._c.notnull(), t._d.notnull())
    end = day + dt.timedelta(days=horizon_days)
    per = t.group_by("_c").aggregate(
        _before=(t._d <= day).any(),
        _after=((t._d > day) & (t._d <= end)).any(),
    )
    per = per.filter(per._before)
    return per.select(per._c, churned=ibis.ifelse(per._after, 0, 1).cast("int8")).rename(
        {customer_col: "_c"}
    )
