"""Concentration (Pareto share, Lorenz, Gini) and cost-to-serve profitability."""

from __future__ import annotations

import ibis
import numpy as np
import pytest

from guanxi.analytics.concentration import (
    CostToServe,
    customer_profit,
    gini,
    lorenz_curve,
    pareto_share,
    profit_quintiles,
)
from guanxi.analytics.summary import customer_summary
from guanxi.analytics.tests.helpers import by_customer


def _values(values):
    return ibis.memtable(
        {
            "customer_id": list(range(1, len(values) + 1)),
            "total_revenue": [float(v) for v in values],
        }
    )


def test_gini_hand_computed():
    assert gini(_values([1, 2, 3, 4])).execute() == pytest.approx(0.25)
    assert gini(_values([5, 5, 5, 5])).execute() == pytest.approx(0.0)
    assert gini(_values([0, 0, 0, 10])).execute() == pytest.approx(0.75)  # (n - 1) / n


def test_pareto_share():
    row = pareto_share(_values(range(1, 11))).to_pyarrow().to_pylist()[0]
    assert row == {
        "customers": 10,
        "top_customers": 2,
        "top_value": 19.0,
        "total_value": 55.0,
        "share": pytest.approx(19 / 55),
    }
    # 0.7 * 10 is 7.000000000000001 in floating point: still 7 customers
    row = pareto_share(_values(range(1, 11)), 0.7).to_pyarrow().to_pylist()[0]
    assert row["top_customers"] == 7
    assert row["top_value"] == 49.0
    with pytest.raises(ValueError):
        pareto_share(_values([1]), 0)


def test_lorenz_curve():
    full = lorenz_curve(_values([1, 2, 3, 4]), points=None).to_pyarrow().to_pylist()
    assert [(r["customer_share"], r["value_share"]) for r in full] == [
        (0.0, 0.0),
        (0.25, 0.1),
        (0.5, 0.3),
        (0.75, 0.6),
        (1.0, 1.0),
    ]
    two = lorenz_curve(_values([1, 2, 3, 4]), points=2).to_pyarrow().to_pylist()
    assert [(r["customer_share"], r["value_share"]) for r in two] == [
        (0.0, 0.0),
        (0.5, 0.3),
        (1.0, 1.0),
    ]
    # 1,000 customers, 10 points -> 11 rows, customer shares 0, 0.1, ..., 1
    big = lorenz_curve(_values(range(1000)), points=10).to_pandas()
    assert big["customer_share"].round(10).tolist() == [i / 10 for i in range(11)]


def test_cdnow_concentration(cdnow, cdnow_df):
    summary = customer_summary(cdnow)
    share = pareto_share(summary).to_pyarrow().to_pylist()[0]
    assert share["customers"] == 2357
    assert share["top_customers"] == 472
    assert share["total_value"] == pytest.approx(244091.94)
    assert share["share"] == pytest.approx(0.6745501715, 1e-8)
    g = gini(summary).execute()
    x = np.sort(cdnow_df.groupby("customer_id")["amount"].sum().to_numpy())
    n = len(x)
    mad = np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean())  # definition
    assert g == pytest.approx(mad, 1e-9)
    assert g == pytest.approx(0.6309171170, 1e-8)
    curve = lorenz_curve(summary, points=5).to_pandas()
    assert len(curve) == 6
    # the first customer reaching 80 % of the population is number ceil(0.8 * 2357) = 1886
    assert curve["customer_share"].iloc[4] == pytest.approx(1886 / 2357)
    assert curve["value_share"].iloc[4] == pytest.approx(x[:1886].sum() / x.sum(), 1e-9)


TX = ibis.memtable(
    {
        "customer_id": [1, 1, 2, 3, 3, 3],
        "amount": [100.0, 50.0, 10.0, -5.0, 20.0, 5.0],
        "channel": ["branch", "online", "branch", None, "online", "atm"],
    }
)
COSTS = CostToServe(
    per_transaction={"branch": 8.0, "online": 1.0},
    default_transaction_cost=2.0,
    per_case=10.0,
    per_contact=3.0,
)


def test_customer_profit_hand_computed():
    cases = ibis.memtable({"customer_id": [2, 5], "n_cases": [3, 1]})
    contacts = ibis.memtable({"customer_id": [1, 1], "n_contacts": [2, 2]})
    p = by_customer(
        customer_profit(TX, COSTS, channel_col="channel", cases=cases, contacts=contacts)
    )
    assert set(p) == {1, 2, 3, 5}
    assert p[1] | {} == {
        "customer_id": 1,
        "revenue": 150.0,
        "n_transactions": 2,
        "transaction_cost": 9.0,
        "n_cases": 0,
        "case_cost": 0.0,
        "n_contacts": 4,
        "contact_cost": 12.0,
        "cost": 21.0,
        "profit": 129.0,
    }
    assert (p[2]["cost"], p[2]["profit"]) == (38.0, -28.0)
    # a return still costs a transaction; null and unlisted channels cost the default
    assert (p[3]["revenue"], p[3]["transaction_cost"], p[3]["profit"]) == (20.0, 5.0, 15.0)
    assert (p[5]["revenue"], p[5]["profit"]) == (0.0, -10.0)


def test_customer_profit_margin_and_no_channel():
    p = by_customer(
        customer_profit(TX, CostToServe(default_transaction_cost=1.0, gross_margin=0.5))
    )
    assert p[1]["profit"] == pytest.approx(150 * 0.5 - 2)
    assert by_customer(customer_profit(TX))[3]["profit"] == 20.0
    with pytest.raises(ValueError, match="'chan'"):
        customer_profit(TX, channel_col="chan")


def test_profit_quintiles_whale_curve():
    # ten customers: profits 100, 80, ..., -80 (step -20); revenue 10 each
    profits = [100.0 - 20 * i for i in range(10)]
    t = ibis.memtable(
        {
            "customer_id": list(range(1, 11)),
            "revenue": [10.0] * 10,
            "cost": [10.0 - p for p in profits],
            "profit": profits,
        }
    )
    q = profit_quintiles(t).to_pyarrow().to_pylist()
    assert [r["quintile"] for r in q] == [1, 2, 3, 4, 5]
    assert [r["customers"] for r in q] == [2] * 5
    assert [r["profit"] for r in q] == [180.0, 100.0, 20.0, -60.0, -140.0]
    total = sum(profits)  # 100
    assert q[0]["profit_share"] == pytest.approx(180 / total)
    assert q[4]["profit_share"] == pytest.approx(-140 / total)
    assert [round(r["cumulative_profit_share"], 9) for r in q] == [1.8, 2.8, 3.0, 2.4, 1.0]
    assert q[0]["revenue"] == 20.0 and q[0]["cost"] == pytest.approx(20 - 180)
