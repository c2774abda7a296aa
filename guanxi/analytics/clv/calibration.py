"""The per-customer summary the CLV models are fitted on, as a pandas frame.

A thin adapter over :func:`guanxi.analytics.summary.customer_summary`, the one implementation
of the counting conventions (those of Fader & Hardie's CDNOW analyses and of ``lifetimes``):
purchases on the same day are one purchase; only purchases up to and including the
calibration end count; time is continuous, in whole days divided by the time unit (7 for
weeks), not calendar-week buckets. Being that summary, it also treats negative amounts as
returns (never a purchase day) and drops rows with a missing amount.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from guanxi.analytics.summary import TimeUnit, customer_summary

__all__ = ["calibration_summary", "fit_summary"]

_FIT_COLUMNS = ("frequency", "recency", "T", "monetary_value")


def fit_summary(
    transactions: ir.Table,
    *,
    customer_col: str,
    date_col: str,
    amount_col: str,
    calibration_end: dt.date,
    time_unit: TimeUnit = "week",
) -> pd.DataFrame:
    """``frequency`` (float), ``recency``, ``T``, ``monetary_value`` per customer, indexed and
    sorted by customer, from an Ibis transaction table (rows after ``calibration_end`` are
    left out; the period, and T, end there)."""
    summary = customer_summary(
        transactions,
        customer_col=customer_col,
        time_col=date_col,
        amount_col=amount_col,
        as_of=calibration_end,
        time_unit=time_unit,
    )
    # Through Arrow: ibis's own pandas conversion warns about pandas options on pandas 3.
    table = summary.select(customer_col, *_FIT_COLUMNS).order_by(customer_col).to_pyarrow()
    frame = table.to_pandas()
    frame = frame.set_index(customer_col)
    frame["frequency"] = frame["frequency"].astype("float64")
    return frame


def calibration_summary(
    transactions: pd.DataFrame,
    *,
    customer_col: str,
    date_col: str,
    calibration_end: dt.date,
    amount_col: str | None = None,
    time_unit: TimeUnit = "week",
) -> pd.DataFrame:
    """Summarise transactions into one row per customer, indexed by customer id.

    Columns: ``frequency`` (repeat purchases), ``recency`` (first to last purchase), ``T``
    (first purchase to the calibration end) and, when ``amount_col`` is given,
    ``monetary_value`` (mean value of the repeat purchases, 0 for one-time buyers; the first
    purchase is left out because it is unlike the later ones, as in Fader, Hardie & Lee 2005).
    ``date_col`` must hold datetimes; customers who first buy after the calibration end are
    left out.
    """
    columns = [customer_col, date_col] + ([amount_col] if amount_col else [])
    missing = [c for c in columns if c not in transactions.columns]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    dates = transactions[date_col]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        raise ValueError(f"column {date_col!r} must hold dates, got dtype {dates.dtype}")
    if not (dates < pd.Timestamp(calibration_end) + pd.Timedelta(days=1)).any():
        raise ValueError(f"no transactions on or before the calibration end {calibration_end}")
    # Counting purchases needs no amount: a constant 0 makes every row a purchase.
    amounts = transactions[amount_col] if amount_col else 0.0
    frame = pd.DataFrame({"c": transactions[customer_col], "d": dates, "a": amounts})
    summary = fit_summary(
        ibis.memtable(pa.Table.from_pandas(frame, preserve_index=False)),
        customer_col="c",
        date_col="d",
        amount_col="a",
        calibration_end=calibration_end,
        time_unit=time_unit,
    )
    summary.index.name = customer_col
    return summary if amount_col else summary.drop(columns="monetary_value")
