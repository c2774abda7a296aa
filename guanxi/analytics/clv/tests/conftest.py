"""Fixtures: the CDNOW calibration summary built straight from the raw file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

CALIBRATION_END = dt.date(1997, 9, 30)


@pytest.fixture(scope="session")
def cdnow_transactions(cdnow_path: Path) -> pd.DataFrame:
    """The raw CDNOW sample log: customer, date, CDs, dollar value."""
    return pd.read_csv(
        cdnow_path,
        sep=r"\s+",
        header=None,
        names=["customer", "sample_id", "date", "cds", "amount"],
        dtype={"date": str},
    )


@pytest.fixture(scope="session")
def cdnow(cdnow_transactions: pd.DataFrame) -> pd.DataFrame:
    """Calibration summary in weeks (days / 7), built with pandas independently of the library:
    same-day purchases merged, calibration ends 1997-09-30 inclusive."""
    tx = cdnow_transactions.assign(date=pd.to_datetime(cdnow_transactions["date"], format="%Y%m%d"))
    tx = tx[tx["date"] <= pd.Timestamp(CALIBRATION_END)]
    days = tx.groupby(["customer", "date"], as_index=False)["amount"].sum()
    grouped = days.groupby("customer")
    first, last = grouped["date"].min(), grouped["date"].max()
    frequency = grouped.size() - 1
    repeat_spend = grouped["amount"].sum() - grouped["amount"].first()
    return pd.DataFrame(
        {
            "frequency": frequency.astype(float),
            "recency": (last - first).dt.days / 7,
            "T": (pd.Timestamp(CALIBRATION_END) - first).dt.days / 7,
            "monetary_value": (repeat_spend / frequency.where(frequency > 0)).fillna(0.0),
        }
    )
