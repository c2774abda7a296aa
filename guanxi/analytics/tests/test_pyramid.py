"""Customer pyramid: a hand-built portfolio covering every level, config, CDNOW."""

from __future__ import annotations

import math

import ibis
import pytest

from guanxi.analytics.pyramid import (
    LoyaltyComponent,
    PyramidConfig,
    customer_pyramid,
    pyramid_counts,
)
from guanxi.analytics.summary import customer_summary
from guanxi.analytics.tests.helpers import by_customer

# customers 1-10 active: value 10*i; n_purchases chosen so loyalty ranks differ from value
N_PURCHASES = [10, 9, 8, 7, 1, 2, 3, 4, 5, 6]


def _summary():
    ids = list(range(1, 11)) + [12, 13]
    return ibis.memtable(
        {
            "customer_id": ids,
            "revenue_12m": [10.0 * i for i in range(1, 11)] + [0.0, 0.0],
            "purchases_12m": [1] * 10 + [0, 0],
            "n_purchases": N_PURCHASES + [3, 1],
            "days_since_last": [5] * 10 + [400, 500],
            "T": [100.0] * 12,
        }
    )


HOLDINGS = ibis.memtable({"customer_id": [11, 13, 1], "n_holdings": [2, 1, 0]})
STATUS = ibis.memtable(
    {
        "customer_id": [14, 15, 16, 17],
        "status": ["prospect", "former", "customer", "related"],
    }
)
ONLY_PURCHASES = PyramidConfig(loyalty_components=(LoyaltyComponent("n_purchases"),))


def test_every_level_by_hand():
    p = by_customer(
        customer_pyramid(_summary(), holdings=HOLDINGS, status=STATUS, config=ONLY_PURCHASES)
    )
    levels = {c: p[c]["level"] for c in p}
    assert levels == {
        10: "A",  # top-2 value, loyalty rank 5 of 0..9 (the median and above)
        9: "B",  # top-2 value, loyalty rank 4
        1: "C",
        2: "C",
        3: "C",
        4: "C",
        5: "D",
        6: "D",
        7: "D",
        8: "D",
        11: "inactive",  # holds 2 products, never bought
        12: "potential",  # bought before, nothing in 12 months, holds nothing
        13: "inactive",  # not active but holds a product
        14: "suspect",
        15: "potential",
        16: "inactive",
        17: "potential",
    }
    assert p[10]["loyalty"] == pytest.approx(5 / 9)
    assert p[10]["high_value"] is True and p[10]["high_loyalty"] is True
    assert p[11]["loyalty"] is None and p[11]["high_value"] is None
    assert p[10]["level_zh"] == "高价值高忠诚"
    assert p[14]["level_en"] == "Suspect"
    assert p[10]["value"] == 100.0


def test_without_optional_tables():
    p = by_customer(customer_pyramid(_summary(), config=ONLY_PURCHASES))
    assert set(p) == set(range(1, 11)) | {12, 13}
    assert p[12]["level"] == "potential" and p[13]["level"] == "potential"


def test_value_threshold_and_loyalty_cut():
    cfg = PyramidConfig(
        loyalty_components=(LoyaltyComponent("n_purchases"),),
        value_threshold=75.0,
        loyalty_cut=0.8,
    )
    p = by_customer(customer_pyramid(_summary(), config=cfg))
    # value >= 75: customers 8, 9, 10; loyalty rank >= 8: n_purchases 9, 10 (customers 2, 1)
    assert [c for c in range(1, 11) if p[c]["level"] in "AB"] == [8, 9, 10]
    assert [c for c in range(1, 11) if p[c]["level"] == "C"] == [1, 2]


def test_default_composite_uses_holdings_as_products():
    p = by_customer(customer_pyramid(_summary(), holdings=HOLDINGS))
    # four components; customer 1 has most purchases but holds 0 products
    # components (percent ranks over the 10 active): n_purchases 1.0, recency 0 (all tied),
    # T 0 (all tied), products 0 (all 0 except none) -> (1 + 0 + 0 + 0) / 4
    assert p[1]["loyalty"] == pytest.approx(0.25)


def test_counts_and_validation():
    p = customer_pyramid(_summary(), holdings=HOLDINGS, status=STATUS, config=ONLY_PURCHASES)
    c = pyramid_counts(p).to_pandas().set_index("level")
    assert c["customers"].to_dict() == {
        "A": 1,
        "B": 1,
        "C": 4,
        "D": 4,
        "inactive": 3,
        "potential": 3,
        "suspect": 1,
    }
    assert c.loc["A", "value_share"] == pytest.approx(100 / 550)
    with pytest.raises(ValueError, match="value_top_fraction"):
        PyramidConfig(value_top_fraction=1.5)
    with pytest.raises(ValueError, match="'revenue_12m'"):
        customer_pyramid(_summary().drop("revenue_12m"))


def test_cdnow_pyramid(cdnow):
    summary = customer_summary(cdnow, as_of="1998-06-30")
    s = summary.to_pandas()
    active = int((s["purchases_12m"] >= 1).sum())
    assert active == 812
    c = pyramid_counts(customer_pyramid(summary)).to_pandas().set_index("level")
    assert c["customers"].sum() == 2357
    assert c.loc["potential", "customers"] == 2357 - active
    high_value = c.loc["A", "customers"] + c.loc["B", "customers"]
    assert high_value == math.ceil(0.2 * active)  # no ties at the boundary here
    assert c["customers"].to_dict() == {"A": 143, "B": 20, "C": 263, "D": 386, "potential": 1545}
    # value of the top 20 % of active customers: 62 % of 12-month revenue
    assert c.loc["A", "value_share"] + c.loc["B", "value_share"] == pytest.approx(0.620881, 1e-5)
