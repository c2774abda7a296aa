"""Configurable scoring: normalisations, weights, directions, ranks."""

from __future__ import annotations

import ibis
import pytest

from guanxi.analytics.scoring import Indicator, score_customers
from guanxi.analytics.tests.helpers import by_customer

T = ibis.memtable(
    {
        "customer_id": [1, 2, 3, 4],
        "branch": ["a", "a", "b", "b"],
        "revenue": [10.0, 20.0, 30.0, None],
        "complaints": [0.0, 1.0, 2.0, 0.0],
    }
)


def test_weighted_minmax_and_percentile():
    s = by_customer(
        score_customers(
            T,
            [
                Indicator("revenue", 3, "higher", "minmax"),
                Indicator("complaints", 1, "lower", "percentile"),
            ],
            group_col="branch",
        )
    )
    # revenue min-max: 0, 0.5, 1, null -> 0; complaints percentile ranks 0, 2/3, 1, 0 reversed
    assert [s[i]["n_revenue"] for i in (1, 2, 3, 4)] == [0.0, 0.5, 1.0, 0.0]
    assert [s[i]["n_complaints"] for i in (1, 2, 3, 4)] == pytest.approx([1, 1 / 3, 0, 1])
    assert [s[i]["score"] for i in (1, 2, 3, 4)] == pytest.approx(
        [25.0, (1.5 + 1 / 3) / 4 * 100, 75.0, 25.0]
    )
    assert [s[i]["overall_rank"] for i in (1, 2, 3, 4)] == [3, 2, 1, 3]  # ties share a rank
    assert [s[i]["group_rank"] for i in (1, 2, 3, 4)] == [2, 1, 1, 2]
    assert s[1]["branch"] == "a"


def test_zscore_clipped():
    s = by_customer(score_customers(T, [Indicator("revenue", normalisation="zscore", clip=1.0)]))
    # mean 20, population std 8.165: z = -1.22 -> clipped -1 -> 0; 0 -> 0.5; 1.22 -> 1
    assert [s[i]["score"] for i in (1, 2, 3, 4)] == pytest.approx([0.0, 50.0, 100.0, 0.0])
    s = by_customer(score_customers(T, [Indicator("revenue", normalisation="zscore")]))
    z = 10 / (200 / 3) ** 0.5  # 1.2247
    assert s[3]["score"] == pytest.approx((z + 3) / 6 * 100)
    assert s[1]["group_rank"] == s[1]["overall_rank"]  # no group column


def test_constant_column_and_validation():
    t = T.mutate(flat=ibis.literal(7.0))
    s = by_customer(
        score_customers(t, [Indicator("flat"), Indicator("flat2", normalisation="zscore")][:1])
    )
    assert {s[i]["score"] for i in s} == {100.0}
    with pytest.raises(ValueError, match="'nope'"):
        score_customers(T, [Indicator("nope")])
    with pytest.raises(ValueError, match="weights sum to 0"):
        score_customers(T, [Indicator("revenue", weight=0)])
    with pytest.raises(ValueError, match="direction"):
        Indicator("revenue", direction="up")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        score_customers(T, [])
