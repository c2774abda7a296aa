"""Scale-out: the summary, RFM and pyramid give the same results on PySpark as on DuckDB.

The backend is a parameter: the same Ibis expressions run on a local Spark session
(``local[2]``, bound to 127.0.0.1, no UI, no network). Needs the ``spark`` extra (PySpark)
and a Java runtime (Debian: ``apt-get install default-jre-headless``); without them the
module is skipped, or fails when ``CI=true``. Takes about half a minute (JVM start included).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from guanxi.analytics.pyramid import customer_pyramid
from guanxi.analytics.rfm import rfm_scores
from guanxi.analytics.summary import customer_summary


def _java() -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    return shutil.which("java")


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed: pip install -e '.[spark]' -c constraints.txt"
    if _java() is None:
        return "no Java runtime (java not on PATH): apt-get install default-jre-headless"
    return None


if (_reason := _missing()) is not None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PySpark tests cannot run on CI: {_reason}", pytrace=False)
    pytest.skip(_reason, allow_module_level=True)

pytestmark = [
    pytest.mark.spark,
    # PySpark 4.0's pandas conversion passes copy=False to astype (deprecated in pandas 3)
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated:DeprecationWarning"),
]

CALIBRATION_END = "1997-09-30"
DATE_COLUMNS = ("first_purchase", "last_purchase")


@pytest.fixture(scope="module")
def spark_con(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """An Ibis connection to a local two-thread Spark session, stopped after the module."""
    from pyspark.sql import SparkSession

    scratch = tmp_path_factory.mktemp("spark")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        patch.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("guanxi-tests")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.memory", "512m")
            # C1 JIT only: the JVM is short-lived; halves the run time on a small machine
            .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
            .config("spark.local.dir", str(scratch / "local"))
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        try:
            yield ibis.pyspark.connect(session)
        finally:
            session.stop()


@pytest.fixture(scope="module")
def spark_cdnow(spark_con, cdnow_df: pd.DataFrame):
    """CDNOW as a temporary Spark view (nothing is written to a warehouse)."""
    return spark_con.create_view("cdnow", ibis.memtable(cdnow_df), overwrite=True)


@pytest.fixture(scope="module")
def summaries(cdnow, spark_cdnow):
    """``customer_summary`` expressions on DuckDB and on Spark."""

    def summary(t):
        return customer_summary(t, calibration_end=CALIBRATION_END, time_unit="week")

    duck, spark = summary(cdnow), summary(spark_cdnow)
    assert (duck.get_backend().name, spark.get_backend().name) == ("duckdb", "pyspark")
    return duck, spark


def _frame(expr) -> pd.DataFrame:
    df = expr.to_pandas().sort_values("customer_id").reset_index(drop=True)
    for col in DATE_COLUMNS:
        if col in df.columns:
            df[col] = pd.to_datetime(df[col])
    return df


def _assert_same(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    """Same columns and rows; floats within 1e-9 (relative), everything else exactly."""
    assert list(spark.columns) == list(duck.columns)
    assert len(spark) == len(duck)
    for col in duck.columns:
        a, b = duck[col], spark[col]
        if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
            assert np.allclose(
                a.to_numpy(float), b.to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True
            ), col
        else:
            assert a.isna().equals(b.isna()), col
            assert a[a.notna()].tolist() == b[b.notna()].tolist(), col


def test_customer_summary_on_pyspark(summaries):
    duck, spark = (_frame(s) for s in summaries)
    assert len(duck) > 1000  # calibration-period customers of the CDNOW sample
    _assert_same(duck, spark)


def test_rfm_scores_on_pyspark(summaries):
    duck, spark = (_frame(rfm_scores(s)) for s in summaries)
    assert duck["segment"].nunique() > 5
    _assert_same(duck, spark)


def test_customer_pyramid_on_pyspark(summaries):
    duck, spark = (_frame(customer_pyramid(s)) for s in summaries)
    assert set(duck["level"]) >= {"A", "B", "C", "D"}
    _assert_same(duck, spark)
