"""The same expressions on a second Ibis backend (SQLite, shipped with Ibis) agree with DuckDB.

SQLite lacks some features the library uses (structs for churn reasons, month intervals
before 3.46, window standard deviation), so only the functions it can run are compared here;
PySpark is the target second backend at scale.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from guanxi.analytics.concentration import (
    CostToServe,
    customer_profit,
    gini,
    lorenz_curve,
    pareto_share,
    profit_quintiles,
)
from guanxi.analytics.pyramid import customer_pyramid
from guanxi.analytics.summary import customer_summary, monthly_spend

pytest.importorskip("ibis.backends.sqlite")


@pytest.fixture(scope="module")
def lite(cdnow_df: pd.DataFrame):
    return ibis.sqlite.connect().create_table("cdnow", cdnow_df)


def _summary(t):
    return customer_summary(t, as_of="1998-06-30")


def _frame(expr, key):
    df = expr.to_pandas().sort_values(key).reset_index(drop=True)
    for col in df.columns:
        if col in ("month", "first_purchase", "last_purchase"):
            df[col] = pd.to_datetime(df[col])
    return df


def test_pyramid_on_sqlite(cdnow, lite):
    a = _frame(customer_pyramid(_summary(cdnow)), "customer_id")
    b = _frame(customer_pyramid(_summary(lite)), "customer_id")
    assert (a["level"] == b["level"]).all()
    assert np.allclose(a["value"], b["value"], rtol=1e-12)
    assert np.allclose(a["loyalty"], b["loyalty"], rtol=1e-12, equal_nan=True)


def test_concentration_on_sqlite(cdnow, lite):
    for fn in (pareto_share, lorenz_curve):
        a = fn(_summary(cdnow)).to_pandas()
        b = fn(_summary(lite)).to_pandas()
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert gini(_summary(lite)).execute() == pytest.approx(gini(_summary(cdnow)).execute())
    costs = CostToServe(default_transaction_cost=1.5)
    a = _frame(profit_quintiles(customer_profit(cdnow, costs)), "quintile")
    b = _frame(profit_quintiles(customer_profit(lite, costs)), "quintile")
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_monthly_spend_on_sqlite(cdnow, lite):
    a = _frame(monthly_spend(cdnow), ["customer_id", "month"])
    b = _frame(monthly_spend(lite), ["customer_id", "month"])
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
