"""Monthly customer-base KPIs and cohort retention."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.analytics.kpis import cohort_retention, monthly_kpis
from guanxi.analytics.tests.helpers import tx

D = dt.date
ROWS = [
    (1, "2024-01-05", 10.0),
    (1, "2024-01-20", 20.0),
    (1, "2024-02-03", 5.0),
    (2, "2024-01-10", 8.0),
    (2, "2024-03-01", 12.0),
    (3, "2024-02-15", 30.0),
    (3, "2024-02-16", -30.0),  # a returns-only day: not a purchase
    (2, "2024-02-20", -4.0),  # customer 2 only returns goods in February: not active
]


def test_monthly_kpis_hand_computed():
    k = monthly_kpis(tx(ROWS)).to_pyarrow().to_pylist()
    assert [r["month"] for r in k] == [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)]
    jan, feb, mar = k
    assert (jan["active_customers"], jan["new_customers"], jan["returning_customers"]) == (2, 2, 0)
    assert jan["retention_rate"] is None
    assert (jan["purchases"], jan["revenue"]) == (3, 38.0)
    assert jan["avg_order_value"] == pytest.approx(38 / 3)
    assert jan["revenue_per_active"] == 19.0
    assert (feb["active_customers"], feb["new_customers"], feb["retained_customers"]) == (2, 1, 1)
    assert feb["retention_rate"] == 0.5
    assert feb["revenue"] == pytest.approx(5 + 30 - 30 - 4)
    assert feb["avg_order_value"] == pytest.approx((5 + 30) / 2)
    assert (mar["active_customers"], mar["retained_customers"], mar["retention_rate"]) == (
        1,
        0,
        0.0,
    )


def test_cohort_retention_hand_computed():
    c = cohort_retention(tx(ROWS)).to_pyarrow().to_pylist()
    got = [(r["cohort"], r["period"], r["active_customers"], r["cohort_size"]) for r in c]
    assert got == [
        (D(2024, 1, 1), 0, 2, 2),
        (D(2024, 1, 1), 1, 1, 2),
        (D(2024, 1, 1), 2, 1, 2),
        (D(2024, 2, 1), 0, 1, 1),
    ]
    assert [r["retention"] for r in c] == [1.0, 0.5, 0.5, 1.0]


def test_cdnow_kpis(cdnow):
    k = monthly_kpis(cdnow).to_pandas()
    assert len(k) == 18  # January 1997 - June 1998
    assert k["new_customers"].sum() == 2357
    assert k["new_customers"].iloc[3:].sum() == 0  # all first purchases in Q1 1997
    assert k["revenue"].sum() == pytest.approx(244091.94)
    c = cohort_retention(cdnow).to_pandas()
    sizes = c.groupby("cohort")["cohort_size"].first()
    assert len(sizes) == 3 and sizes.sum() == 2357
    assert (c.loc[c.period == 0, "retention"] == 1.0).all()
