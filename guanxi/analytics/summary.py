"""Per-customer summary of a transaction log (the input of RFM, pyramid, CLV and churn rules).

Everything here builds Ibis expressions: the heavy work (group-bys over the transaction log)
runs inside the backend (DuckDB by default, PySpark or another Ibis backend at scale). The
only eager step is :func:`customer_summary`'s validation query (one scan counting rows and
finding the latest date), which lets it fail early with a clear message.

Conventions (the "counting your customers" conventions of Fader, Hardie & Lee, 2005):

* **Purchase day** -- all transactions of a customer on one calendar day are merged into one
  purchase; the day's purchase value is the sum of its non-negative amounts.
* **Returns** -- a row with a negative amount is a return or refund. It counts in
  ``total_revenue`` (net revenue) and ``n_transactions`` but never makes a purchase: a day that
  has only returns is not a purchase day, and returns do not reduce the purchase value used for
  ``monetary_value``.
* **Zero amounts** -- a row with amount 0 is a purchase at zero price (a free item: the CDNOW
  log has eight customers whose only purchase is a $0 CD), so it does make a purchase day.
* **Exact duplicate rows** -- kept by default: a transaction log without a transaction id
  legitimately repeats a line when a customer buys two identical items. Because same-day rows
  are merged, duplicates never change ``frequency``; they add to the day's value. Pass
  ``drop_duplicates=True`` to collapse rows identical in every column first;
  :func:`input_report` counts them either way.
* **Nulls** -- rows with a null customer, time or amount are dropped (counted in
  :func:`input_report`).
* **Future rows** -- rows dated after ``as_of`` are excluded (counted in :func:`input_report`).
* **Time** -- continuous: day differences divided by 1 (``"day"``) or 7 (``"week"``), never
  calendar-week buckets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import ibis
import ibis.expr.types as ir

from guanxi.analytics.duckdb_functions import distinct_days, distinct_hashes, value_hash

TimeUnit = Literal["day", "week"]
_UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0}

DateLike = dt.date | dt.datetime | str

__all__ = [
    "InputReport",
    "TimeUnit",
    "customer_summary",
    "input_report",
    "monthly_spend",
    "require_columns",
]


def require_columns(table: ir.Table, *columns: str | None, what: str = "table") -> None:
    """Raise ``ValueError`` naming every column in ``columns`` that ``table`` lacks.

    ``None`` entries (optional columns not asked for) are ignored.
    """
    missing = [c for c in columns if c is not None and c not in table.columns]
    if missing:
        raise ValueError(
            f"{what} has no column(s) {', '.join(repr(c) for c in missing)}; "
            f"available: {', '.join(table.columns)}"
        )


def _to_date(value: DateLike, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError as exc:
            raise ValueError(f"{name}={value!r} is not an ISO date (YYYY-MM-DD)") from exc
    if hasattr(value, "date"):  # pandas.Timestamp, numpy datetime wrappers
        return value.date()
    raise ValueError(f"{name}={value!r} is not a date")


def day_of(table: ir.Table, time_col: str) -> ir.DateValue:
    """The calendar day of a date, timestamp or ISO-text column."""
    col = table[time_col]
    dtype = col.type()
    if dtype.is_date():
        return col
    if dtype.is_timestamp():
        return col.date()
    if dtype.is_string():
        return col.cast("date")
    raise ValueError(
        f"column {time_col!r} must be a date, timestamp or ISO date string, not {dtype}"
    )


def _check_unit(time_unit: str) -> float:
    if time_unit not in _UNIT_DAYS:
        raise ValueError(f"time_unit must be one of {sorted(_UNIT_DAYS)}, not {time_unit!r}")
    return _UNIT_DAYS[time_unit]


@dataclass(frozen=True)
class InputReport:
    """Counts describing what :func:`customer_summary` keeps and drops from a transaction log.

    Attributes:
        rows_in: rows in the input.
        null_customer_rows: rows dropped because the customer is null.
        null_time_rows: rows dropped because the time is null (customer present).
        null_amount_rows: rows dropped because the amount is null (customer, time present).
        future_rows: rows dropped because they are dated after ``as_of``.
        rows_used: rows kept (before duplicate removal).
        duplicate_rows: surplus copies of rows identical in every column (rows_in minus the
            number of distinct rows), whether or not they are dropped; None when not
            counted (``count_duplicates=False``).
        return_rows: kept rows with a negative amount (returns/refunds).
        zero_amount_rows: kept rows with amount 0 (zero-price purchases).
        as_of: the observation end used (the latest date in the data if none was given).
    """

    rows_in: int
    null_customer_rows: int
    null_time_rows: int
    null_amount_rows: int
    future_rows: int
    rows_used: int
    duplicate_rows: int | None
    return_rows: int
    zero_amount_rows: int
    as_of: dt.date


def _scan_counts(
    transactions: ir.Table,
    customer_col: str,
    time_col: str,
    amount_col: str,
    as_of: dt.date | None,
) -> dict:
    t = transactions
    day = day_of(t, time_col)
    cust_ok = t[customer_col].notnull()
    time_ok = cust_ok & day.notnull()
    amt_ok = time_ok & t[amount_col].notnull()
    not_future = ibis.literal(True) if as_of is None else day <= ibis.literal(as_of, type="date")
    used = amt_ok & not_future
    amount = t[amount_col]
    agg = t.aggregate(
        rows_in=t.count(),
        null_customer_rows=t.count(where=~cust_ok),
        null_time_rows=t.count(where=cust_ok & day.isnull()),
        null_amount_rows=t.count(where=time_ok & amount.isnull()),
        future_rows=t.count(where=amt_ok & ~not_future),
        rows_used=t.count(where=used),
        return_rows=t.count(where=used & (amount < 0)),
        zero_amount_rows=t.count(where=used & (amount == 0)),
        max_day=day.max(where=amt_ok),
    )
    row = agg.to_pyarrow().to_pylist()[0]
    return {k: (v if v is not None else 0) if k != "max_day" else v for k, v in row.items()}


def validate_transactions(
    transactions: ir.Table,
    customer_col: str,
    time_col: str,
    amount_col: str,
    as_of: DateLike | None,
    extra: tuple[str | None, ...] = (),
) -> tuple[dict, dt.date]:
    """Check columns and types; return the input's row counts and the effective as-of date."""
    _check_columns(transactions, customer_col, time_col, amount_col, extra)
    as_of_date = None if as_of is None else _to_date(as_of, "as_of")
    counts = _scan_counts(transactions, customer_col, time_col, amount_col, as_of_date)
    if counts["rows_in"] == 0:
        raise ValueError("transactions is empty (0 rows): nothing to summarise")
    if counts["rows_used"] == 0:
        raise ValueError(
            "transactions has no usable rows: every row has a null customer, time or amount"
            + ("" if as_of_date is None else f", or is dated after as_of={as_of_date}")
        )
    if as_of_date is None:
        as_of_date = _to_date(counts["max_day"], "latest date")
    return counts, as_of_date


def _check_columns(
    transactions: ir.Table,
    customer_col: str,
    time_col: str,
    amount_col: str,
    extra: tuple[str | None, ...],
) -> None:
    require_columns(transactions, customer_col, time_col, amount_col, *extra, what="transactions")
    amount_type = transactions[amount_col].type()
    if not amount_type.is_numeric():
        raise ValueError(f"column {amount_col!r} must be numeric, not {amount_type}")


_LIST_BACKENDS = frozenset({"duckdb"})
"""Backends whose summary and duplicate count work on a list per customer (its distinct days,
its rows' hashes) instead of a group per day or per row; both routes are checked equal by
the backend comparison tests."""


def input_report(
    transactions: ir.Table,
    *,
    customer_col: str = "customer_id",
    time_col: str = "date",
    amount_col: str = "amount",
    as_of: DateLike | None = None,
    count_duplicates: bool = True,
) -> InputReport:
    """Count the rows :func:`customer_summary` drops or treats specially (runs two queries,
    one without ``count_duplicates``: counting duplicates hashes every row).

    Raises ``ValueError`` on the same bad input as :func:`customer_summary` (missing column,
    empty table, no usable rows).
    """
    counts, as_of_date = validate_transactions(
        transactions, customer_col, time_col, amount_col, as_of
    )
    duplicates = None
    if count_duplicates:
        duplicates = duplicate_rows(transactions, customer_col)
    return InputReport(
        rows_in=counts["rows_in"],
        null_customer_rows=counts["null_customer_rows"],
        null_time_rows=counts["null_time_rows"],
        null_amount_rows=counts["null_amount_rows"],
        future_rows=counts["future_rows"],
        rows_used=counts["rows_used"],
        duplicate_rows=duplicates,
        return_rows=counts["return_rows"],
        zero_amount_rows=counts["zero_amount_rows"],
        as_of=as_of_date,
    )


def duplicate_rows(transactions: ir.Table, customer_col: str) -> int:
    """Surplus copies of rows identical in every column (rows minus distinct rows).

    Identical rows belong to the same customer. Where the backend has lists, each customer's
    rows are compared by their hashes, a short list per customer, and only the rows of
    customers with a repeated hash are counted exactly: an identical row always repeats its
    hash, while a repeated hash may be a collision. A million customers' 20 million rows
    took 1.2 s so, against 2.3 s for the distinct rows of the whole table.
    """
    t = transactions
    if t.get_backend().name in _LIST_BACKENDS:
        hashes = value_hash(ibis.struct({c: t[c] for c in t.columns})).collect(include_null=True)
        per = t.group_by(customer_col).aggregate(_rows=t.count(), _hashes=hashes)
        repeated = per.filter(per["_rows"] > distinct_hashes(per["_hashes"]).length())
        keys = repeated.select(customer_col).to_pyarrow()
        if keys.num_rows == 0:
            return 0
        candidates = ibis.memtable(keys)
        t = t.semi_join(candidates, t[customer_col].identical_to(candidates[customer_col]))
    return int(t.count().to_pyarrow().as_py()) - int(t.distinct().count().to_pyarrow().as_py())


def clean_transactions(
    transactions: ir.Table,
    customer_col: str,
    time_col: str,
    amount_col: str,
    as_of: dt.date,
    drop_duplicates: bool,
    extra: dict[str, str | None],
) -> ir.Table:
    """Transactions with nulls and rows after ``as_of`` dropped, amounts as float, days as dates."""
    t = transactions.distinct() if drop_duplicates else transactions
    day = day_of(t, time_col)
    cols = {
        customer_col: t[customer_col],
        "_day": day,
        "_amount": t[amount_col].cast("float64"),
    }
    for alias, col in extra.items():
        if col is not None:
            cols[alias] = t[col]
    out = t.select(**cols)
    return out.filter(
        out[customer_col].notnull(),
        out["_day"].notnull(),
        out["_amount"].notnull(),
        out["_day"] <= ibis.literal(as_of, type="date"),
    )


def customer_summary(
    transactions: ir.Table,
    *,
    customer_col: str = "customer_id",
    time_col: str = "date",
    amount_col: str = "amount",
    product_col: str | None = None,
    channel_col: str | None = None,
    as_of: DateLike | None = None,
    calibration_end: DateLike | None = None,
    time_unit: TimeUnit = "day",
    drop_duplicates: bool = False,
    recent_window_days: int = 365,
    paid_days: bool = False,
    report: InputReport | None = None,
) -> ir.Table:
    """One row per customer with a purchase: RFM/BTYD statistics of a transaction log.

    Args:
        transactions: one row per transaction line (see the module docstring for how
            returns, zero amounts, duplicates, nulls and future rows are treated).
        customer_col, time_col, amount_col: column names; the time column may be a date,
            a timestamp (its calendar day is used) or an ISO date string.
        product_col, channel_col: optional columns; when given the output has
            ``n_products`` / ``n_channels`` (distinct values over the observation period).
        as_of: observation end, inclusive (default: the latest date in the data). Rows dated
            later are excluded.
        calibration_end: optional end (inclusive) of a calibration period. When given, every
            statistic except the holdout columns describes the calibration period, ``T``
            runs to ``calibration_end``, only customers whose first purchase is on or before
            it are returned, and holdout columns describe ``(calibration_end, as_of]``.
        time_unit: ``"day"`` or ``"week"`` (day differences / 7, continuous).
        drop_duplicates: collapse rows identical in every column before summarising.
        recent_window_days: length of the trailing window for ``revenue_12m`` and
            ``purchases_12m`` (the window ends at the period end, inclusive).
        paid_days: also ``first_paid``, ``last_paid`` and ``paid_days``: the first, last
            and number of days with a positive amount up to the period end (null, null, 0
            for a customer whose purchases were all free). The churn model's purchase
            features count these days: from the summary's own days they cost nothing,
            counted again over the log they were its costliest part.
        report: the :func:`input_report` of the same table and ``as_of``, whose counts
            are then read instead of counted again (a scan of the whole log).

    Returns:
        An Ibis table expression with columns:
        ``<customer_col>``, ``first_purchase``, ``last_purchase`` (dates of purchase days),
        ``n_purchases`` (purchase days), ``frequency`` (repeat purchases = n_purchases - 1),
        ``recency`` (last - first purchase, in ``time_unit``), ``T`` (period end - first
        purchase, in ``time_unit``), ``days_since_last`` (period end - last purchase, days),
        ``monetary_value`` (mean purchase value of the repeat purchase days, 0 if none),
        ``total_revenue`` (net sum of all amounts incl. returns), ``n_transactions`` (rows,
        incl. returns), ``revenue_12m`` and ``purchases_12m`` (trailing window), then with
        ``calibration_end``: ``frequency_holdout`` (purchase days in the holdout period),
        ``spend_holdout`` (net amount in it) and ``duration_holdout`` (its length in
        ``time_unit``), then ``n_products`` / ``n_channels`` and the paid days if asked.

    Raises:
        ValueError: a named column is missing, the amount is not numeric, the table is empty
            or has no usable row, ``time_unit`` is unknown, or ``calibration_end`` is after
            ``as_of``.
    """
    unit_days = _check_unit(time_unit)
    if recent_window_days < 1:
        raise ValueError("recent_window_days must be >= 1")
    extra = (product_col, channel_col)
    if report is None:
        counts, as_of_date = validate_transactions(
            transactions, customer_col, time_col, amount_col, as_of, extra
        )
        free_rows = counts["zero_amount_rows"] > 0
    else:
        _check_columns(transactions, customer_col, time_col, amount_col, extra)
        if as_of is not None and _to_date(as_of, "as_of") != report.as_of:
            raise ValueError(f"as_of={as_of} is not the report's as_of={report.as_of}")
        as_of_date, free_rows = report.as_of, report.zero_amount_rows > 0
    cal_end = None if calibration_end is None else _to_date(calibration_end, "calibration_end")
    if cal_end is not None and cal_end > as_of_date:
        raise ValueError(f"calibration_end={cal_end} is after as_of={as_of_date}")
    period_end = cal_end if cal_end is not None else as_of_date
    period_end_lit = ibis.literal(period_end, type="date")

    clean = clean_transactions(
        transactions,
        customer_col,
        time_col,
        amount_col,
        as_of_date,
        drop_duplicates,
        {"_product": product_col, "_channel": channel_col},
    )
    period = _Period(
        end=period_end_lit,
        recent_start=ibis.literal(
            period_end - dt.timedelta(days=recent_window_days - 1), type="date"
        ),
        holdout=cal_end is not None,
    )
    if transactions.get_backend().name in _LIST_BACKENDS:
        # without free rows a paid day is a purchase day: the same figures, one list fewer
        per = _per_customer_from_rows(clean, customer_col, period, paid_days, free_rows)
    else:
        per = _per_customer_from_days(clean, customer_col, period, paid_days)
    per = per.filter(per["first_purchase"].notnull())
    per = per.join(_first_day_value(clean, customer_col, period), customer_col)

    frequency = per["n_purchases"] - 1
    out = {
        customer_col: per[customer_col],
        "first_purchase": per["first_purchase"],
        "last_purchase": per["last_purchase"],
        "n_purchases": per["n_purchases"].cast("int64"),
        "frequency": frequency.cast("int64"),
        "recency": per["last_purchase"].delta(per["first_purchase"], unit="day").cast("float64")
        / unit_days,
        "T": period_end_lit.delta(per["first_purchase"], unit="day").cast("float64") / unit_days,
        "days_since_last": period_end_lit.delta(per["last_purchase"], unit="day").cast("int64"),
        "monetary_value": ibis.ifelse(
            frequency > 0,
            (per["_value_sum"] - per["_first_value"]) / frequency.cast("float64"),
            0.0,
        ).cast("float64"),
        "total_revenue": per["total_revenue"].fill_null(0.0).cast("float64"),
        "n_transactions": per["n_transactions"].fill_null(0).cast("int64"),
        "revenue_12m": per["revenue_12m"].fill_null(0.0).cast("float64"),
        "purchases_12m": per["purchases_12m"].cast("int64"),
    }
    if paid_days:
        out.update(
            first_paid=per["first_paid"],
            last_paid=per["last_paid"],
            paid_days=per["paid_days"].cast("int64"),
        )
    if cal_end is not None:
        holdout_days = (as_of_date - cal_end).days
        out["frequency_holdout"] = per["frequency_holdout"].cast("int64")
        out["spend_holdout"] = per["spend_holdout"].fill_null(0.0).cast("float64")
        out["duration_holdout"] = ibis.literal(holdout_days / unit_days, type="float64")
    result = per.select(**out)

    in_p = clean.filter(clean["_day"] <= period_end_lit)
    for alias, name, col in (
        ("_product", "n_products", product_col),
        ("_channel", "n_channels", channel_col),
    ):
        if col is None:
            continue
        # distinct (customer, value) pairs then a count: faster than COUNT(DISTINCT) on DuckDB
        pairs = in_p.filter(in_p[alias].notnull()).select(customer_col, alias).distinct()
        counts = pairs.group_by(customer_col).aggregate(_n=pairs.count())
        result = result.left_join(counts, customer_col).select(
            *result.columns, **{name: counts["_n"].fill_null(0).cast("int64")}
        )

    return result


@dataclass(frozen=True)
class _Period:
    """The observed period's end, the start of its trailing window, and whether rows after
    the end are a holdout to count."""

    end: ir.DateScalar
    recent_start: ir.DateScalar
    holdout: bool


def _per_customer_from_days(
    clean: ir.Table, customer_col: str, period: _Period, paid_days: bool
) -> ir.Table:
    """The summary's sums and counts per customer from a table of (customer, day) totals."""
    amount = clean["_amount"]
    daily = clean.group_by([customer_col, "_day"]).aggregate(
        _value=amount.sum(where=amount >= 0),
        _net=amount.sum(),
        _rows=clean.count(),
        _n_buy=clean.count(where=amount >= 0),
        _n_paid=clean.count(where=amount > 0),
    )
    day = daily["_day"]
    is_buy = daily["_n_buy"] > 0
    in_period = day <= period.end
    in_recent = in_period & (day >= period.recent_start)
    buy_in_period = is_buy & in_period
    aggs: dict[str, ir.Value] = {
        "first_purchase": day.min(where=buy_in_period),
        "last_purchase": day.max(where=buy_in_period),
        "n_purchases": daily.count(where=buy_in_period),
        "_value_sum": daily["_value"].sum(where=buy_in_period),
        "total_revenue": daily["_net"].sum(where=in_period),
        "n_transactions": daily["_rows"].sum(where=in_period),
        "revenue_12m": daily["_net"].sum(where=in_recent),
        "purchases_12m": daily.count(where=is_buy & in_recent),
    }
    if paid_days:
        paid = (daily["_n_paid"] > 0) & in_period
        aggs.update(
            first_paid=day.min(where=paid),
            last_paid=day.max(where=paid),
            paid_days=daily.count(where=paid),
        )
    if period.holdout:
        aggs["frequency_holdout"] = daily.count(where=is_buy & ~in_period)
        aggs["spend_holdout"] = daily["_net"].sum(where=~in_period)
    return daily.group_by(customer_col).aggregate(**aggs)


def _per_customer_from_rows(
    clean: ir.Table, customer_col: str, period: _Period, paid_days: bool, free_rows: bool
) -> ir.Table:
    """The same figures as :func:`_per_customer_from_days`, one group per customer: the
    days are counted as the distinct entries of a list of each customer's days. At a
    million customers the (customer, day) table has 19 million groups and took 4.5 s;
    grouping by customer alone takes 1.7 s."""
    amount, day = clean["_amount"], clean["_day"]
    in_period = day <= period.end
    buy_in_period = (amount >= 0) & in_period
    aggs: dict[str, ir.Value] = {
        "first_purchase": day.min(where=buy_in_period),
        "last_purchase": day.max(where=buy_in_period),
        "_days": day.collect(where=buy_in_period),
        "_value_sum": amount.sum(where=buy_in_period),
        "total_revenue": amount.sum(where=in_period),
        "n_transactions": clean.count(where=in_period),
        "revenue_12m": amount.sum(where=in_period & (day >= period.recent_start)),
    }
    if paid_days and free_rows:
        paid = (amount > 0) & in_period
        aggs.update(
            first_paid=day.min(where=paid),
            last_paid=day.max(where=paid),
            _paid=day.collect(where=paid),
        )
    if period.holdout:
        aggs["_holdout"] = day.collect(where=(amount >= 0) & ~in_period)
        aggs["spend_holdout"] = amount.sum(where=~in_period)
    per = clean.group_by(customer_col).aggregate(**aggs)
    days = distinct_days(per["_days"])
    counted = {
        "n_purchases": days.length(),
        "purchases_12m": days.filter(lambda d: d >= period.recent_start).length(),
    }
    if paid_days:
        counted.update(
            {
                "first_paid": per["first_paid"],
                "last_paid": per["last_paid"],
                "paid_days": _distinct_count(per["_paid"]),
            }
            if free_rows
            else {
                "first_paid": per["first_purchase"],
                "last_paid": per["last_purchase"],
                "paid_days": counted["n_purchases"],
            }
        )
    if period.holdout:
        counted["frequency_holdout"] = _distinct_count(per["_holdout"])
    lists = [c for c in ("_days", "_paid", "_holdout") if c in per.columns]
    return per.mutate(**counted).drop(*lists)


def _distinct_count(days: ir.ArrayValue) -> ir.IntegerValue:
    """Distinct entries of a collected list; 0 where nothing was collected (a null list)."""
    return distinct_days(days).length().fill_null(0)


def _first_day_value(clean: ir.Table, customer_col: str, period: _Period) -> ir.Table:
    """Per customer, the value bought on the first purchase day of the period (its
    non-negative amounts). The first day comes from a pass of its own: taken from the
    summary's other sums, the backend computed those twice."""
    bought = clean.filter(clean["_amount"] >= 0)
    day = bought["_day"]
    firsts = bought.filter(day <= period.end).group_by(customer_col).aggregate(_first=day.min())
    return (
        bought.join(
            firsts,
            [bought[customer_col] == firsts[customer_col], bought["_day"] == firsts["_first"]],
        )
        .group_by(bought[customer_col])
        .aggregate(_first_value=bought["_amount"].sum())
    )


def monthly_spend(
    transactions: ir.Table,
    *,
    customer_col: str = "customer_id",
    time_col: str = "date",
    amount_col: str = "amount",
    as_of: DateLike | None = None,
    drop_duplicates: bool = False,
) -> ir.Table:
    """Net spend per customer and calendar month.

    Columns ``<customer_col>``, ``month``, ``spend``, ``n_purchases``.

    ``month`` is the first day of the month (a date). Only months with at least one
    transaction appear (the series is sparse: a missing month means zero spend). Refunds
    (negative amounts) reduce the month's spend; ``n_purchases`` is the number of purchase
    days in the month. Bad input is treated as in :func:`customer_summary`.
    """
    _, as_of_date = validate_transactions(transactions, customer_col, time_col, amount_col, as_of)
    clean = clean_transactions(
        transactions, customer_col, time_col, amount_col, as_of_date, drop_duplicates, {}
    )
    daily = clean.group_by([customer_col, "_day"]).aggregate(
        _net=clean["_amount"].sum(),
        _n_buy=clean.count(where=clean["_amount"] >= 0),
    )
    daily = daily.mutate(month=daily["_day"].truncate("M"))
    return daily.group_by([customer_col, "month"]).aggregate(
        spend=daily["_net"].sum().cast("float64"),
        n_purchases=daily.count(where=daily["_n_buy"] > 0).cast("int64"),
    )
