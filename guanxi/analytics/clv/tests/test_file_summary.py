"""The CLI's DuckDB-only fit summary gives the numbers of the Ibis ``customer_summary``."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from guanxi.analytics.clv.calibration import fit_summary
from guanxi.analytics.clv.file_summary import read_fit_summary
from guanxi.analytics.input_file import NO_AMOUNT_COL
from guanxi.analytics.reader import read_transactions

COLUMNS = ("frequency", "recency", "T", "monetary_value")
# DuckDB's parallel hash aggregates add a customer's amounts in no fixed order, so the Ibis
# summary itself differs from one run to the next in the last bit of a mean (measured: up to
# 1.1e-13 on CDNOW); anything beyond that would be a real difference.
RTOL = 1e-12


def assert_same(fast: dict[str, np.ndarray], reference: pd.DataFrame) -> None:
    for column in COLUMNS:
        np.testing.assert_allclose(
            fast[column], reference[column].to_numpy(), rtol=RTOL, atol=0, err_msg=column
        )


# Same-day rows merged, a return-only day (b) and a returns-only customer (d), a zero-price
# purchase (e), a row with no amount and rows after the calibration end (2024-01-31).
EDGE_CASES = """customer,date,amount
a,2024-01-01,10
a,2024-01-01,5
a,2024-01-09,12
a,2024-02-03,99
b,2024-01-03,5
b,2024-01-05,-5
b,2024-01-20,7
b,2024-01-20,-2
c,2024-01-02,7
c,2024-01-20,
c,2024-01-25,9
d,2024-01-04,-3
e,2024-01-06,0
e,2024-01-30,4
f,2024-02-10,8
"""


def both(
    path: Path,
    *,
    amount_col: str | None,
    calibration_end: dt.date,
    time_unit: str,
    date_format: str | None = None,
) -> tuple[dict[str, np.ndarray], pd.DataFrame]:
    fast = read_fit_summary(
        path,
        customer_col="customer",
        date_col="date",
        amount_col=amount_col,
        calibration_end=calibration_end,
        time_unit=time_unit,
        date_format=date_format,
    )
    table = read_transactions(
        path,
        ibis.duckdb.connect(),
        customer_col="customer",
        date_col="date",
        amount_col=amount_col,
        date_format=date_format,
    )
    reference = fit_summary(
        table,
        customer_col="customer",
        date_col="date",
        amount_col=amount_col or NO_AMOUNT_COL,
        calibration_end=calibration_end,
        time_unit=time_unit,  # type: ignore[arg-type]
    )
    return {c: getattr(fast, c) for c in COLUMNS}, reference


def test_cdnow_summary_is_the_ibis_summary(
    cdnow_transactions: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "cdnow.csv"
    cdnow_transactions.to_csv(path, index=False)
    fast, reference = both(
        path,
        amount_col="amount",
        calibration_end=dt.date(1997, 9, 30),
        time_unit="week",
        date_format="%Y%m%d",
    )
    assert len(reference) == 2357
    assert_same(fast, reference)


@pytest.mark.parametrize("amount_col", ["amount", None])
def test_returns_nulls_and_late_rows_are_counted_as_the_ibis_summary_counts_them(
    amount_col: str | None, tmp_path: Path
) -> None:
    path = tmp_path / "edge.csv"
    path.write_text(EDGE_CASES)
    fast, reference = both(
        path, amount_col=amount_col, calibration_end=dt.date(2024, 1, 31), time_unit="day"
    )
    assert len(fast["frequency"]) == len(reference) == (4 if amount_col else 5)
    assert_same(fast, reference)


def test_parquet_dates_are_read_as_dates(tmp_path: Path) -> None:
    path = tmp_path / "edge.parquet"
    frame = pd.read_csv(io.StringIO(EDGE_CASES))
    frame.assign(date=pd.to_datetime(frame["date"]).dt.date).to_parquet(path)
    fast, reference = both(
        path, amount_col="amount", calibration_end=dt.date(2024, 1, 31), time_unit="week"
    )
    assert_same(fast, reference)


def test_a_file_with_no_row_before_the_calibration_end_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    path.write_text("customer,date,amount\na,2024-03-01,1\n")
    with pytest.raises(ValueError, match="no usable rows"):
        read_fit_summary(
            path,
            customer_col="customer",
            date_col="date",
            amount_col="amount",
            calibration_end=dt.date(2024, 1, 31),
        )


def test_the_command_imports_neither_ibis_nor_pandas(tmp_path: Path) -> None:
    path = tmp_path / "tx.csv"
    path.write_text(EDGE_CASES)
    code = (
        "import sys; from guanxi.analytics.clv.cli import main; "
        f"main(['fit', {str(path)!r}, '--customer-col', 'customer', '--date-col', 'date', "
        "'--amount-col', 'amount', '--calibration-end', '2024-01-31']); "
        "print(sorted(m for m in ('ibis', 'pandas', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    fitted, imported = out.stdout.splitlines()
    assert fitted.startswith("bgnbd: r=") and imported == "[]"
