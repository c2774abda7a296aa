"""Turn a transaction log into the per-customer summary the CLV models are fitted on.

Conventions (those of Fader & Hardie's CDNOW analyses and of ``lifetimes``): purchases on the
same day are one purchase; only purchases up to and including the calibration end count; time
is continuous, in whole days divided by the time unit (7 for weeks), not calendar-week buckets.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api.typing import DataFrameGroupBy

TimeUnit = Literal["day", "week"]
DAYS_PER_UNIT: dict[str, float] = {"day": 1.0, "week": 7.0}


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
    if time_unit not in DAYS_PER_UNIT:
        raise ValueError(f"time_unit must be one of {sorted(DAYS_PER_UNIT)}, got {time_unit!r}")
    days = _purchase_days(transactions, customer_col, date_col, amount_col, calibration_end)
    if days.empty:
        raise ValueError(f"no transactions on or before the calibration end {calibration_end}")
    grouped = days.groupby(customer_col, sort=True)
    first = grouped["day"].min()
    end = pd.Timestamp(calibration_end)
    unit = DAYS_PER_UNIT[time_unit]
    summary = pd.DataFrame(
        {
            "frequency": grouped.size() - 1,
            "recency": (grouped["day"].max() - first).dt.days / unit,
            "T": (end - first).dt.days / unit,
        }
    )
    if amount_col is not None:
        summary["monetary_value"] = _repeat_mean(grouped, summary["frequency"])
    summary["frequency"] = summary["frequency"].astype(np.float64)
    return summary


def _purchase_days(
    transactions: pd.DataFrame,
    customer_col: str,
    date_col: str,
    amount_col: str | None,
    calibration_end: dt.date,
) -> pd.DataFrame:
    """One row per customer and purchase day within the calibration period, amounts summed."""
    columns = [customer_col, date_col] + ([amount_col] if amount_col else [])
    missing = [c for c in columns if c not in transactions.columns]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    dates = transactions[date_col]
    if not pd.api.types.is_datetime64_any_dtype(dates):
        raise ValueError(f"column {date_col!r} must hold dates, got dtype {dates.dtype}")
    if dates.isna().any():
        raise ValueError(f"column {date_col!r} has missing dates")
    frame = pd.DataFrame({customer_col: transactions[customer_col], "day": dates.dt.floor("D")})
    if amount_col:
        amounts = pd.to_numeric(transactions[amount_col], errors="coerce")
        if amounts.isna().any():
            raise ValueError(f"column {amount_col!r} has missing or non-numeric amounts")
        frame["amount"] = amounts
    frame = frame[frame["day"] <= pd.Timestamp(calibration_end)]
    if amount_col:
        return frame.groupby([customer_col, "day"], as_index=False, sort=True)["amount"].sum()
    return frame.drop_duplicates([customer_col, "day"]).sort_values([customer_col, "day"])


def _repeat_mean(grouped: DataFrameGroupBy, freq: pd.Series) -> pd.Series:
    """Mean amount of each customer's purchase days after the first (0 when there are none)."""
    # days is sorted by customer then day, so the first row of each group is the first purchase.
    repeat_total = grouped["amount"].sum() - grouped["amount"].first()
    return (repeat_total / freq.where(freq > 0)).fillna(0.0).rename(None)
