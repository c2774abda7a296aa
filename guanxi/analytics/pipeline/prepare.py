"""The tables the steps read: input checks, the compact copy of the transaction log, and the
monthly spend window judged by churn rule ``SPEND_DROP``."""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir

from guanxi.analytics.churn_rules import add_months
from guanxi.analytics.pipeline.config import AMOUNT, CUSTOMER, DAY, TIME, AnalysisConfig
from guanxi.analytics.pipeline.context import Run
from guanxi.analytics.summary import InputReport, monthly_spend, require_columns


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


def prepare(transactions: ir.Table, customer_col: str, time_col: str, amount_col: str) -> ir.Table:
    """The three columns under fixed names, plus the calendar day of each row.

    Materialised once by the caller: every later step scans this compact table instead of
    the source (a file or a database), and the day is computed once -- the time-zone-aware
    conversion of a ``TIMESTAMP WITH TIME ZONE`` costs more than the scans themselves. The
    original time is kept so that duplicates are still rows identical in customer, time and
    amount, not merely on the same day.
    """
    time_value = transactions[time_col]
    dtype = time_value.type()
    if dtype.is_timestamp():
        day = time_value.date()
    elif dtype.is_string():
        day = time_value.cast("date")
    elif dtype.is_date():
        day = time_value
    else:
        raise ValueError(
            f"column {time_col!r} must be a date, timestamp or ISO date string, not {dtype}"
        )
    return transactions.select(
        **{CUSTOMER: transactions[customer_col], TIME: time_value, DAY: day},
        _amount=transactions[amount_col],
    )


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
) -> ir.Table | None:
    """Monthly spend of the months SPEND_DROP compares (only those are read), materialised;
    ``month`` is the judged month (:func:`~guanxi.analytics.churn_rules.judged_month`)."""
    start = add_months(month, -cfg.churn.trailing_months)
    window = tx.filter(tx[DAY] >= start, tx[DAY] < add_months(month, 1))
    try:
        monthly = monthly_spend(
            window,
            customer_col=CUSTOMER,
            time_col=DAY,
            amount_col=AMOUNT,
            as_of=as_of,
            drop_duplicates=cfg.drop_duplicates,
        )
    except ValueError:  # no transaction in the window: the spend rule has nothing to judge
        return None
    return run.materialise(monthly)
