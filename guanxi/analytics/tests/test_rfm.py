"""RFM scores and segments: hand-computed quintiles, the segment grid, CDNOW."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from guanxi.analytics.rfm import (
    CHINESE_SEGMENT_RULES,
    DEFAULT_SEGMENT_RULES,
    SegmentRule,
    assign_segments,
    rfm_scores,
    rfm_segment_counts,
)
from guanxi.analytics.summary import customer_summary
from guanxi.analytics.tests.helpers import by_customer


def _customers(days, purchases, revenue):
    n = len(days)
    return ibis.memtable(
        {
            "customer_id": list(range(1, n + 1)),
            "days_since_last": days,
            "n_purchases": purchases,
            "total_revenue": revenue,
        }
    )


def test_scores_distinct_values_are_quintiles():
    # customer i: i*10 days ago, i purchases, revenue 100/i  (i = 1..10)
    t = _customers(
        [10 * i for i in range(1, 11)],
        list(range(1, 11)),
        [100.0 / i for i in range(1, 11)],
    )
    s = by_customer(rfm_scores(t))
    assert [s[i]["r_score"] for i in range(1, 11)] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert [s[i]["f_score"] for i in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [s[i]["m_score"] for i in range(1, 11)] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert s[1]["fm_score"] == 3.0
    assert s[1]["rfm_cell"] == "515"
    assert s[1]["segment"] == "loyal"  # R 5, FM 3
    assert s[10]["rfm_cell"] == "151"
    assert s[10]["segment"] == "at_risk"  # R 1, FM 3


def test_ties_share_a_score():
    t = _customers([5] * 10, [1, 1, 1, 1, 1, 1, 2, 3, 4, 5], [1.0] * 10)
    s = by_customer(rfm_scores(t))
    assert [s[i]["f_score"] for i in range(1, 11)] == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    assert {s[i]["r_score"] for i in s} == {1}  # everyone tied: the lowest score
    assert {s[i]["m_score"] for i in s} == {1}


def test_ntile_method_equal_bins():
    t = _customers([5] * 10, [1, 1, 1, 1, 1, 1, 2, 3, 4, 5], [1.0] * 10)
    s = by_customer(rfm_scores(t, method="ntile"))
    # equal-size bins, ties broken by customer id
    assert [s[i]["f_score"] for i in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_fixed_breaks():
    t = _customers([10, 40, 100, 200, 400], [1, 2, 3, 6, 12], [5.0, 50.0, 500.0, 5000.0, 0.0])
    s = by_customer(
        rfm_scores(
            t,
            breaks={"r": [30, 90, 180, 365], "f": [2, 3, 5, 10], "m": [10, 100, 1000, 10000]},
        )
    )
    assert [s[i]["r_score"] for i in range(1, 6)] == [5, 4, 3, 2, 1]
    assert [s[i]["f_score"] for i in range(1, 6)] == [1, 2, 3, 4, 5]
    assert [s[i]["m_score"] for i in range(1, 6)] == [1, 2, 3, 4, 1]
    with pytest.raises(ValueError, match="4 ascending"):
        rfm_scores(t, breaks={"r": [1, 2]})
    with pytest.raises(ValueError, match="breaks keys"):
        rfm_scores(t, breaks={"x": [1, 2, 3, 4]})


# (R, F, M) -> segment, one probe per cell of the documented grid
GRID = {
    5: ["new", "potential_loyalist", "loyal", "champions", "champions"],
    4: ["promising", "potential_loyalist", "loyal", "champions", "champions"],
    3: ["about_to_sleep", "need_attention", "loyal", "loyal", "loyal"],
    2: ["hibernating", "hibernating", "at_risk", "at_risk", "at_risk"],
    1: ["lost", "lost", "at_risk", "cant_lose", "cant_lose"],
}


def test_default_grid_covers_every_cell():
    rows = [(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)]
    t = ibis.memtable(
        {
            "r_score": [r for r, _, _ in rows],
            "fm_score": [(f + m) / 2 for _, f, m in rows],
        }
    )
    out = assign_segments(t).to_pyarrow().to_pylist()
    assert len({rule.code for rule in DEFAULT_SEGMENT_RULES}) == 11
    for row in out:
        fm = row["fm_score"]
        # FM 1-1.5 -> column 0, 2-2.5 -> 1, 3-3.5 -> 2, 4-4.5 -> 3, 5 -> 4
        assert row["segment"] == GRID[row["r_score"]][int(fm) - 1], row
    names = {(r["segment"], r["segment_en"], r["segment_zh"]) for r in out}
    assert ("champions", "Champions", "冠军客户") in names
    assert ("lost", "Lost", "已流失") in names
    assert len(names) == 11


def test_custom_rules_and_fallback():
    t = ibis.memtable({"r_score": [5, 1], "fm_score": [5.0, 1.0]})
    rules = [SegmentRule("vip", "VIP", "贵宾", 5, 5, 4, 5)]
    # names are joined by code: the rows' order is the backend's, so ask for one
    out = assign_segments(t, rules).order_by(ibis.desc("r_score")).to_pyarrow().to_pylist()
    assert [r["segment"] for r in out] == ["vip", "other"]
    assert out[1]["segment_zh"] == "其他"


def test_a_segment_code_with_two_different_names_is_refused():
    t = ibis.memtable({"r_score": [5], "fm_score": [5.0]})
    rules = [
        SegmentRule("vip", "VIP", "贵宾", 5, 5, 4, 5),
        SegmentRule("vip", "Very important", "贵宾", 4, 4, 4, 5),
    ]
    with pytest.raises(ValueError, match="segment 'vip' has two different names"):
        assign_segments(t, rules)


def test_cdnow_rfm(cdnow):
    summary = customer_summary(cdnow, as_of="1998-06-30")
    rfm = rfm_scores(summary)
    df = rfm.to_pandas()
    s = summary.to_pandas().set_index("customer_id")
    assert len(df) == 2357
    # R by an independent pandas min-rank computation
    r0 = s["days_since_last"].rank(method="min", ascending=False) - 1
    expected_r = (r0 * 5 // len(s)).astype(int) + 1
    got_r = df.set_index("customer_id")["r_score"].sort_index()
    assert (got_r == expected_r.sort_index()).all()
    assert df["r_score"].value_counts().sort_index().tolist() == [482, 471, 463, 470, 471]
    # F: all one-time buyers tie at score 1
    one_timers = int((s["n_purchases"] == 1).sum())
    assert one_timers == 1218
    assert (df["f_score"] == 1).sum() == one_timers
    counts = rfm_segment_counts(rfm, summary).to_pandas().set_index("segment")
    assert counts["customers"].sum() == 2357
    assert counts["revenue"].sum() == pytest.approx(s["total_revenue"].sum())
    assert (
        counts.loc["champions", "customers"]
        == ((df["r_score"] >= 4) & ((df["f_score"] + df["m_score"]) >= 8)).sum()
    )
    assert counts["customer_share"].sum() == pytest.approx(1.0)


def test_rfm_identical_on_sqlite(cdnow, cdnow_df):
    con = ibis.sqlite.connect()
    lite = con.create_table("cdnow", cdnow_df)
    a = rfm_scores(customer_summary(cdnow, as_of="1998-06-30")).to_pandas()
    b = rfm_scores(customer_summary(lite, as_of="1998-06-30")).to_pandas()
    a = a.sort_values("customer_id").reset_index(drop=True)
    b = b.sort_values("customer_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_the_eight_chinese_classes_cover_every_cell_once():
    rows = [(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)]
    t = ibis.memtable(
        {
            "r_score": [r for r, _, _ in rows],
            "f_score": [f for _, f, _ in rows],
            "m_score": [m for _, _, m in rows],
            "fm_score": [(f + m) / 2 for _, f, m in rows],
        }
    )
    out = assign_segments(t, CHINESE_SEGMENT_RULES).to_pyarrow().to_pylist()
    assert "other" not in {row["segment"] for row in out}
    by_scores = {(r["r_score"], r["f_score"], r["m_score"]): r["segment_zh"] for r in out}
    assert by_scores[(5, 5, 5)] == "重要价值客户"
    assert by_scores[(4, 1, 4)] == "重要发展客户"  # recent big spender who buys rarely
    assert by_scores[(1, 4, 5)] == "重要保持客户"
    assert by_scores[(2, 2, 5)] == "重要挽留客户"  # a big spender slipping away
    assert by_scores[(3, 3, 3)] == "一般挽留客户"  # the middle quintile is not "high"
