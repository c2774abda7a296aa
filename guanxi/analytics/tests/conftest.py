"""Fixtures of the analytics tests: the real CDNOW sample in DuckDB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pytest

from guanxi.analytics.pipeline import AnalysisConfig, AnalysisResult, analyze
from guanxi.analytics.tests.helpers import read_cdnow


@pytest.fixture(scope="session")
def cdnow_df(cdnow_path: Path) -> pd.DataFrame:
    return read_cdnow(cdnow_path)


@pytest.fixture(scope="session")
def cdnow(cdnow_df: pd.DataFrame) -> ir.Table:
    """CDNOW in an in-memory DuckDB table."""
    con = ibis.duckdb.connect()
    return con.create_table("cdnow", cdnow_df)


@pytest.fixture(scope="session")
def cdnow_result(cdnow: ir.Table) -> AnalysisResult:
    """The whole analysis of CDNOW as of the end of the paper's calibration period (weeks),
    with the BG/NBD model whose published estimates the tests compare with."""
    config = AnalysisConfig(as_of=dt.date(1997, 9, 30), time_unit="week", clv_model="bgnbd")
    return analyze(
        cdnow, customer_col="customer_id", time_col="date", amount_col="amount", config=config
    )
