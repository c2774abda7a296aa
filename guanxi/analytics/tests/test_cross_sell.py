"""Cross-sell: hand-computed similarities and hit rates, held products, planted structure."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.exceptions import NotFittedError

from guanxi.analytics.cross_sell import (
    REASON_CODES,
    CrossSellRecommender,
    PopularityRecommender,
    association_rules,
    evaluate_holdout,
    recommend_products,
)


def holdings(pairs: str) -> pd.DataFrame:
    """``"1:AB 2:C"`` -> rows (1, A), (1, B), (2, C)."""
    rows = [(int(c), p) for item in pairs.split() for c, ps in [item.split(":")] for p in ps]
    return pd.DataFrame(rows, columns=["customer_id", "product"])


# Counts A 3, B 3, C 2; co-held A&B 2, A&C 1, B&C 0.
# cos(A, B) = 2 / 3, cos(A, C) = 1 / sqrt(6), cos(B, C) = 0.
TINY = holdings("1:AB 2:AB 3:AC 4:B 5:C")


def by_customer(recs: pa.Table) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for row in recs.to_pylist():
        out.setdefault(row["customer_id"], []).append(
            (row["rank"], row["product"], round(row["score"], 4), row["reason"])
        )
    return out


def test_tiny_recommendations_by_hand() -> None:
    recs = by_customer(recommend_products(TINY, k=3))
    assert recs[1] == [(1, "C", 0.4082, "33% of customers holding A also hold C")]
    assert recs[3] == [(1, "B", 0.6667, "67% of customers holding A also hold B")]
    assert recs[4] == [
        (1, "A", 0.6667, "67% of customers holding B also hold A"),
        (2, "C", 0.0, "held by 40% of customers"),  # never co-held with B: popularity
    ]
    assert recs[5] == [
        (1, "A", 0.4082, "50% of customers holding C also hold A"),
        (2, "B", 0.0, "held by 60% of customers"),
    ]


def test_similarity_matrix() -> None:
    model = CrossSellRecommender().fit(TINY)
    assert list(model.products_) == ["A", "B", "C"]
    expected = [[0, 2 / 3, 1 / 6**0.5], [2 / 3, 0, 0], [1 / 6**0.5, 0, 0]]
    np.testing.assert_allclose(model.similarity_, expected)
    assert model.holders_.tolist() == [3, 3, 2]


def test_popularity_baseline() -> None:
    recs = by_customer(PopularityRecommender().fit(TINY).recommend(TINY, k=2))
    assert recs[5] == [
        (1, "A", 0.6, "held by 60% of customers"),  # A and B tie at 3 holders
        (2, "B", 0.6, "held by 60% of customers"),
    ]


def test_same_result_from_pandas_arrow_and_ibis() -> None:
    expected = recommend_products(TINY)
    arrow = pa.Table.from_pandas(TINY)
    assert recommend_products(arrow).equals(expected)
    assert recommend_products(ibis.memtable(arrow)).equals(expected)


def test_duplicates_nulls_and_custom_columns() -> None:
    frame = pd.DataFrame(
        {"cust": [1, 1, 1, 2, 2, None], "item": ["A", "A", "B", "A", None, "B"]},
    )
    recs = recommend_products(frame, customer_col="cust", product_col="item")
    assert recs.column_names[:5] == ["cust", "rank", "product", "score", "reason"]
    assert recs.to_pylist() == [
        {
            "cust": 2.0,
            "rank": 1,
            "product": "B",
            "score": pytest.approx(1 / 2**0.5),
            "reason": "50% of customers holding A also hold B",
            "reason_code": "co_held",
            "reason_product": "A",
            "reason_share": 0.5,
        }
    ]


def structured(recs: pa.Table) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for row in recs.to_pylist():
        share = round(row["reason_share"], 4)
        reason = (row["reason_code"], row["reason_product"], share)
        out.setdefault(row["customer_id"], []).append((row["product"], reason))
    return out


def test_reasons_come_as_a_code_the_held_product_and_a_share() -> None:
    recs = structured(recommend_products(TINY, k=3))
    assert recs[1] == [("C", ("co_held", "A", 0.3333))]
    assert recs[4] == [("A", ("co_held", "B", 0.6667)), ("C", ("popular", None, 0.4))]


def test_popularitys_reasons_are_all_popular() -> None:
    recs = structured(PopularityRecommender().fit(TINY).recommend(TINY, k=2))
    assert recs[5] == [("A", ("popular", None, 0.6)), ("B", ("popular", None, 0.6))]


def test_the_english_reason_is_the_structured_one_worded() -> None:
    for row in recommend_products(TINY, k=3).to_pylist():
        wording = REASON_CODES[row["reason_code"]]
        share, held = row["reason_share"], row["reason_product"]
        assert row["reason"] == wording.format(share=share, held=held, product=row["product"])


def test_unknown_products_at_scoring_are_ignored() -> None:
    model = CrossSellRecommender().fit(TINY)
    recs = model.recommend(holdings("9:AZ"), k=5)
    assert recs["product"].to_pylist() == ["B", "C"]


def test_recommend_before_fit_fails_clearly() -> None:
    with pytest.raises(NotFittedError, match="not fitted yet"):
        CrossSellRecommender().recommend(TINY)


def test_missing_column_fails_clearly() -> None:
    with pytest.raises(ValueError, match="no column.*'product'"):
        CrossSellRecommender().fit(TINY.rename(columns={"product": "sku"}))


def planted(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """Products P0..P11 with skewed popularity; P(2i+1) is usually co-held with P(2i)."""
    rng = np.random.default_rng(seed)
    weights = 1 / np.arange(1, 13)
    counts = rng.integers(1, 4, n)
    customers = np.repeat(np.arange(n), counts)
    products = rng.choice(12, len(customers), p=weights / weights.sum())
    partner = rng.random(len(customers)) < 0.6
    customers = np.concatenate([customers, customers[partner]])
    products = np.concatenate([products, products[partner] ^ 1])  # 2i <-> 2i+1
    return pd.DataFrame({"customer_id": customers, "product": [f"P{p}" for p in products]})


def test_never_recommends_held_products() -> None:
    data = planted()
    recs = recommend_products(data, k=5).to_pandas()
    clash = recs.merge(data.drop_duplicates(), on=["customer_id", "product"])
    assert clash.empty
    assert recs.groupby("customer_id")["product"].nunique().eq(5).all()
    assert recs["rank"].between(1, 5).all()


def test_customers_holding_everything_get_nothing() -> None:
    recs = recommend_products(holdings("1:ABC 2:A 3:B"))
    assert 1 not in recs["customer_id"].to_pylist()


def test_beats_popularity_on_planted_structure() -> None:
    result = evaluate_holdout(planted(), k=3)
    assert result.n_customers > 3000
    assert result.hit_rate > result.popularity_hit_rate + 0.15
    assert result.hit_rate > 0.7


# Hand-computed hold-out: hide (6, B), (7, C), (8, X). Training holdings
# 1:AB 2:AB 3:XC 4:XC 5:X 6:A 7:X 8:A -> A 4, X 4, B 2, C 2 holders; A&B 2, X&C 2, else 0.
# Model, top 1: 6 (A) -> B hit; 7 (X) -> C hit; 8 (A) -> B miss: 2 / 3.
# Popularity, top 1: 6 (A) -> X miss; 7 (X) -> A miss; 8 (A) -> X hit: 1 / 3.
HOLDOUT = holdings("1:AB 2:AB 3:XC 4:XC 5:X 6:AB 7:XC 8:AX")
HIDDEN = holdings("6:B 7:C 8:X")


def test_hit_rate_by_hand() -> None:
    result = evaluate_holdout(HOLDOUT, k=1, hidden=HIDDEN)
    assert (result.k, result.n_customers) == (1, 3)
    assert result.hit_rate == pytest.approx(2 / 3)
    assert result.popularity_hit_rate == pytest.approx(1 / 3)
    # With k = 3 every product not held is recommended: all hits.
    wide = evaluate_holdout(HOLDOUT, k=3, hidden=HIDDEN)
    assert (wide.hit_rate, wide.popularity_hit_rate) == (1.0, 1.0)


def test_random_holdout_hides_one_product_per_multi_holder() -> None:
    result = evaluate_holdout(HOLDOUT, k=1, random_state=3)
    assert result.n_customers == 7  # all but customer 5 hold two products


def test_hidden_must_be_held() -> None:
    with pytest.raises(ValueError, match="must be a row of holdings"):
        evaluate_holdout(HOLDOUT, hidden=holdings("5:A"))
    with pytest.raises(ValueError, match="at most one product per customer"):
        evaluate_holdout(HOLDOUT, hidden=holdings("1:AB"))
    with pytest.raises(ValueError, match="nothing to hide"):
        evaluate_holdout(holdings("1:A 2:B"))


def test_association_rules_by_hand() -> None:
    rules = association_rules(TINY, min_support=0.2, min_confidence=0.5).to_pylist()
    # 5 customers: A&B held by 2 (support 0.4); A&C by 1 (0.2); C has 2 holders, A 3, B 3.
    got = {(r["antecedent"], r["consequent"]): r for r in rules}
    assert set(got) == {("A", "B"), ("B", "A"), ("C", "A")}
    assert got[("B", "A")]["confidence"] == pytest.approx(2 / 3)
    assert got[("B", "A")]["lift"] == pytest.approx((2 / 3) / (3 / 5))
    assert got[("C", "A")]["support"] == pytest.approx(0.2)
    assert got[("C", "A")]["confidence"] == pytest.approx(0.5)
    assert rules[0]["lift"] >= rules[-1]["lift"]
