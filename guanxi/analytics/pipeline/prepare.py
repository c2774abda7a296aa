"""The tables the steps read: input checks, the compact copy of the transaction log, and the
monthly spend window judged by churn rule ``SPEND_DROP``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import ibis
import ibis.expr.datatypes as dt_types
import ibis.expr.types as ir

from guanxi.analytics.churn_rules import add_months
from guanxi.analytics.pipeline.config import AMOUNT, CUSTOMER, DAY, TIME, AnalysisConfig
from guanxi.analytics.pipeline.context import Run
from guanxi.analytics.summary import InputReport, day_of, require_columns


def rename_customer(table: ir.Table | None, customer_col: str) -> ir.Table | None:
    """``table`` with its customer column called ``customer_id`` like everything else."""
    if table is None or customer_col == CUSTOMER:
        return table
    require_columns(table, customer_col)
    return table.rename({CUSTOMER: customer_col})


def check_time_text(transactions: ir.Table, time_col: str) -> None:
    """A text time column must hold ISO dates: name the column and a bad value if not.

    Without this check the backend's cast would fail later with an engine error.
    """
    col = transactions[time_col]
    if not col.type().is_string():
        return
    bad_rows = col.notnull() & col.try_cast("date").isnull()
    found = transactions.aggregate(value=col.arbitrary(where=bad_rows)).to_pyarrow()
    bad = found["value"][0].as_py()
    if bad is not None:
        raise ValueError(
            f"column {time_col!r} has a value {bad!r} that is not an ISO date (YYYY-MM-DD)"
        )


def prepare(
    transactions: ir.Table, customer_col: str, time_col: str, amount_col: str, day: ir.DateValue
) -> ir.Table:
    """The three columns under fixed names, plus the calendar day of each row (``day``, of
    :func:`calendar_day`).

    Materialised once by the caller: every later step scans this compact table instead of
    the source (a file or a database), and the day is computed once. The original time is
    kept so that duplicates are still rows identical in customer, time and amount, not
    merely on the same day.
    """
    return transactions.select(
        **{CUSTOMER: transactions[customer_col], TIME: transactions[time_col], DAY: day},
        _amount=transactions[amount_col],
    )


def calendar_day(transactions: ir.Table, time_col: str) -> ir.DateValue:
    """The calendar day of each row's date, timestamp or ISO date text.

    A ``TIMESTAMP WITH TIME ZONE`` falls on a day of the backend's time zone. DuckDB converts
    each value through ICU's calendar, which costs more than the scans themselves (2.5 s of
    20 million rows against 0.3 s); where that zone keeps one UTC offset over the whole log
    (UTC, China Standard Time), the day is the offset moment's plain date, computed exactly
    and ten times faster.
    """
    time_value = transactions[time_col]
    dtype = time_value.type()
    offset = None
    if dtype.is_timestamp() and dtype.timezone:
        offset = _fixed_offset_us(transactions, time_value)
    if offset is None:
        return day_of(transactions, time_col)
    return _make_timestamp(_epoch_us(time_value) + offset).date()


@ibis.udf.scalar.builtin(name="epoch_us")
def _epoch_us(value: dt_types.Timestamp(timezone="UTC")) -> dt_types.int64:  # type: ignore[valid-type]
    """DuckDB's microseconds since the epoch of a moment (no calendar involved)."""


@ibis.udf.scalar.builtin(name="make_timestamp")
def _make_timestamp(micros: dt_types.int64) -> dt_types.Timestamp():  # type: ignore[valid-type]
    """DuckDB's plain (zone-less) timestamp of microseconds since the epoch."""


def _fixed_offset_us(transactions: ir.Table, time_value: ir.TimestampValue) -> int | None:
    """The DuckDB session zone's UTC offset in microseconds when it is the same on every day
    the log spans; None on another backend, or when the offset changes (daylight saving)."""
    con = transactions.get_backend()
    if con.name != "duckdb":
        return None
    zone_name = con.raw_sql("SELECT current_setting('TimeZone')").fetchone()[0]
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):  # a name ICU knows and the tz database not
        return None
    micros = _epoch_us(time_value)
    span = transactions.aggregate(first=micros.min(), last=micros.max()).to_pyarrow()
    first, last = span["first"][0].as_py(), span["last"][0].as_py()
    if first is None:
        return None
    try:
        start = dt.datetime.fromtimestamp(first / 1e6, dt.UTC)
        end = dt.datetime.fromtimestamp(last / 1e6, dt.UTC)
    except (OverflowError, ValueError, OSError):  # beyond Python's datetime: the slow way
        return None
    # An offset changes for months at a time: one look a day finds every change.
    days = (end - start).days
    moments = [start + dt.timedelta(days=i) for i in range(days + 1)] + [end]
    offsets = {zone.utcoffset(moment) for moment in moments}
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return None if offset is None else int(offset.total_seconds()) * 1_000_000


def input_warnings(run: Run, report: InputReport) -> None:
    """Warn about the rows the summary leaves out."""
    if report.future_rows:
        run.warn("FUTURE_ROWS", n=report.future_rows, as_of=report.as_of)
    dropped = report.null_customer_rows + report.null_time_rows + report.null_amount_rows
    if dropped:
        run.warn("DROPPED_ROWS", n=dropped)


# --- the monthly window of SPEND_DROP -----------------------------------------------------


def monthly_window(
    run: Run, tx: ir.Table, month: dt.date, as_of: dt.date, cfg: AnalysisConfig
) -> ir.Table:
    """Net spend per customer and month of the months SPEND_DROP compares (only those are
    read), materialised: ``customer_id``, ``month``, ``spend``, as
    :func:`~guanxi.analytics.summary.monthly_spend` gives them; ``month`` is the judged
    month (:func:`~guanxi.analytics.churn_rules.judged_month`).

    Summed straight from the run's copy of the log, checked already: ``monthly_spend``
    checks its input again and counts each month's purchase days, which the rule does not
    read (three times the time at a million customers). A null day falls outside the
    window, a null amount adds nothing and a null customer matches no one judged.
    """
    start = add_months(month, -cfg.churn.trailing_months)
    day = tx[DAY]
    window = tx.filter(day >= start, day < add_months(month, 1), day <= as_of)
    if cfg.drop_duplicates:
        window = window.distinct()
    monthly = window.group_by([CUSTOMER, window[DAY].truncate("M").name("month")]).aggregate(
        spend=window[AMOUNT].sum().cast("float64")
    )
    return run.materialise(monthly)
