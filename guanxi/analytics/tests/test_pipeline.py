"""The whole analysis run (:func:`guanxi.analytics.pipeline.analyze`) on CDNOW and bad input."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from guanxi.analytics.churn_priority import ChurnPriorityConfig
from guanxi.analytics.churn_rules import REASON_TEMPLATES, render_reason
from guanxi.analytics.clv import BetaGeoFitter, ConvergenceError
from guanxi.analytics.pipeline import (
    CLV_MODELS,
    STEPS,
    AnalysisConfig,
    AnalysisResult,
    analyze,
    assemble,
)
from guanxi.analytics.pipeline.churn_step import MODEL_COLUMNS as CHURN_MODEL_COLUMNS
from guanxi.analytics.pyramid import LEVEL_NAMES
from guanxi.analytics.rfm import DEFAULT_SEGMENT_RULES
from guanxi.analytics.tests.helpers import tx

COLS: dict[str, Any] = {"customer_col": "customer_id", "time_col": "date", "amount_col": "amount"}
MODEL_COLUMNS = ["p_alive", "expected_purchases", "expected_spend", "clv"]


def run(table: ir.Table, **config: Any) -> AnalysisResult:
    return analyze(table, **COLS, config=AnalysisConfig(**config))


def column(result: AnalysisResult, name: str) -> np.ndarray:
    return result.customers[name].to_numpy(zero_copy_only=False)


def warning_codes(result: AnalysisResult) -> list[str]:
    return [w["code"] for w in result.overview["warnings"]]


# --- CDNOW ---------------------------------------------------------------------------------


def test_one_row_per_customer_with_every_documented_column(cdnow_result: AnalysisResult) -> None:
    customers = cdnow_result.customers
    assert customers.num_rows == 2357
    assert pc.count_distinct(customers["customer_id"]).as_py() == 2357
    assert customers.column_names == [*assemble.CUSTOMER_COLUMNS, *CHURN_MODEL_COLUMNS]
    assert cdnow_result.overview["n_customers"] == 2357


def test_bgnbd_and_gammagamma_reproduce_the_published_cdnow_estimates(
    cdnow_result: AnalysisResult,
) -> None:
    model = cdnow_result.overview["clv_model"]
    assert {k: round(v, 3) for k, v in model["params"].items()} == {
        "r": 0.243,
        "alpha": 4.414,
        "a": 0.793,
        "b": 2.426,
    }
    assert model["log_likelihood"] == pytest.approx(-9582.4, abs=0.05)
    spend = model["spend_model"]
    assert spend["n_customers"] == 946
    assert {k: round(v, 2) for k, v in spend["params"].items()} == {
        "p": 6.25,
        "q": 3.74,
        "gamma": 15.44,
    }


def test_model_outputs_are_valid_numbers(cdnow_result: AnalysisResult) -> None:
    p_alive = column(cdnow_result, "p_alive")
    assert not np.isnan(p_alive).any() and p_alive.min() >= 0 and p_alive.max() <= 1
    for name in MODEL_COLUMNS:
        values = column(cdnow_result, name)
        assert np.isfinite(values).all(), name
        assert (values >= 0).all(), name
    assert cdnow_result.overview["clv_total"] == pytest.approx(column(cdnow_result, "clv").sum())


def test_undiscounted_clv_is_expected_purchases_times_spend(cdnow: ir.Table) -> None:
    result = run(cdnow, as_of=dt.date(1997, 9, 30), annual_discount_rate=0.0)
    expected = column(result, "expected_purchases") * column(result, "expected_spend")
    np.testing.assert_allclose(column(result, "clv"), expected, rtol=1e-9)


def test_segments_and_levels_come_from_the_known_sets(cdnow_result: AnalysisResult) -> None:
    rules = {r.code: (r.name_en, r.name_zh) for r in DEFAULT_SEGMENT_RULES}
    rows = cdnow_result.customers.select(
        ["rfm_segment", "rfm_segment_en", "rfm_segment_zh"]
    ).to_pylist()
    assert {
        (r["rfm_segment_en"], r["rfm_segment_zh"]) == rules[r["rfm_segment"]] for r in rows
    } == {True}
    levels = set(cdnow_result.customers["pyramid_level"].to_pylist())
    assert levels <= {"A", "B", "C", "D"}  # no holdings or status given: all active or not
    assert levels <= set(LEVEL_NAMES)
    for score in ("r_score", "f_score", "m_score"):
        assert set(cdnow_result.customers[score].to_pylist()) <= {1, 2, 3, 4, 5}


def test_churn_columns_agree(cdnow_result: AnalysisResult) -> None:
    rows = cdnow_result.customers.select(
        ["churn_warning", "churn_severity", "churn_reason", "churn_reason_zh", "churn_reason_codes"]
    ).to_pylist()
    for row in rows:
        assert row["churn_warning"] == (row["churn_severity"] > 0)
        assert len(row["churn_reason_codes"]) == row["churn_severity"]
        assert set(row["churn_reason_codes"]) <= set(REASON_TEMPLATES)
        assert (row["churn_reason"] is None) == (not row["churn_warning"])
        assert (row["churn_reason_zh"] is None) == (not row["churn_warning"])
    warned = [r for r in rows if r["churn_warning"]]
    assert warned and cdnow_result.overview["churn_warnings"] == len(warned)
    assert any("天未购买" in r["churn_reason_zh"] for r in warned)


@pytest.mark.parametrize("batch", [1, 2, 1000])
def test_chinese_reasons_match_render_reason(batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assemble, "_ZH_BATCH", batch)
    month = dt.date(2026, 1, 1)
    drop = {"code": "SPEND_DROP", "value": 1.0, "reference": 80.0, "threshold": 0.3}
    drop |= {"month": month, "text": "z"}
    reason = {"code": "OVERDUE", "value": 90.0, "reference": 12.5, "threshold": 3.0}
    reason |= {"month": None, "text": "x"}
    low = {"code": "LOW_P_ALIVE", "value": 0.2, "reference": None, "threshold": 0.5}
    low |= {"month": None, "text": "y"}
    reasons = pa.chunked_array([pa.array([[low], [drop, reason, low], [], None])]).slice(1)
    zh = assemble._render_zh(reasons, months=6).to_pylist()
    all_three = "；".join(render_reason(r, "zh") for r in (drop, reason, low))
    assert zh == [all_three, None, None]
    assert zh[0].startswith("2026年1月消费(1.00)低于2025年7月至12月月均消费(80.00)的30%")


def test_spend_drop_reasons_name_the_month_judged_and_its_window(
    cdnow_result: AnalysisResult,
) -> None:
    # as of 30 September 1997, the last day of the month: September is complete
    rows = cdnow_result.customers.to_pylist()
    dropped = [r for r in rows if "SPEND_DROP" in r["churn_reason_codes"]]
    assert dropped
    assert all("Spend in 1997-09 (" in r["churn_reason"] for r in dropped)
    assert all("monthly average of 1997-03 to 1997-08" in r["churn_reason"] for r in dropped)
    assert all(r["churn_reason_zh"].startswith("1997年9月消费(") for r in dropped)
    assert all("1997年3月至8月月均消费" in r["churn_reason_zh"] for r in dropped)


def test_low_p_alive_rule_fires_on_top_customers_with_low_p_alive(
    cdnow_result: AnalysisResult,
) -> None:
    rows = cdnow_result.customers.to_pylist()
    fired = [r for r in rows if "LOW_P_ALIVE" in r["churn_reason_codes"]]
    assert fired and all(r["p_alive"] < 0.5 for r in fired)


def test_score_and_rank(cdnow_result: AnalysisResult) -> None:
    score, rank = column(cdnow_result, "score"), column(cdnow_result, "rank")
    assert score.min() >= 0 and score.max() <= 100
    assert rank.min() == 1 and rank.max() <= 2357
    best = np.argmax(score)
    assert rank[best] == 1


def test_aggregate_tables(cdnow_result: AnalysisResult) -> None:
    assert pc.sum(cdnow_result.pyramid_counts["customers"]).as_py() == 2357
    assert pc.sum(cdnow_result.segment_counts["customers"]).as_py() == 2357
    assert pc.sum(cdnow_result.rfm_heatmap["customers"]).as_py() == 2357
    lorenz = cdnow_result.lorenz.to_pylist()
    assert lorenz[0] == {"customer_share": 0.0, "value_share": 0.0}
    assert lorenz[-1]["customer_share"] == pytest.approx(1.0)
    assert lorenz[-1]["value_share"] == pytest.approx(1.0)
    quintiles = cdnow_result.profit_quintiles
    assert quintiles["quintile"].to_pylist() == [1, 2, 3, 4, 5]
    assert quintiles["profit_share"][0].as_py() == pytest.approx(
        cdnow_result.overview["pareto_share"]
    )


def test_overview_is_json_ready(cdnow_result: AnalysisResult) -> None:
    overview = cdnow_result.overview
    text = json.dumps(overview, allow_nan=False)
    assert json.loads(text)["as_of"] == "1997-09-30"
    assert overview["n_transactions"] == overview["input"]["rows_used"]
    assert overview["input"]["future_rows"] == 1959  # rows after the calibration end
    assert overview["input"]["zero_amount_rows"] == 8
    assert 0.5 < overview["pareto_share"] < 0.8 and 0.4 < overview["gini"] < 0.8
    assert list(overview["timings"]) == list(STEPS)
    assert warning_codes(cdnow_result) == ["FUTURE_ROWS"]


@pytest.fixture(scope="module")
def cdnow_default(cdnow: ir.Table) -> AnalysisResult:
    """CDNOW analysed with the default settings (the default purchase model)."""
    return run(cdnow, as_of=dt.date(1997, 9, 30))


def test_the_default_purchase_model_is_mbgnbd(cdnow_default: AnalysisResult) -> None:
    assert cdnow_default.overview["clv_model"]["model"] == "mbgnbd"
    assert np.isfinite(column(cdnow_default, "clv")).all()


def test_bgnbd_calls_every_one_time_buyer_certainly_alive(cdnow_result: AnalysisResult) -> None:
    one_time = column(cdnow_result, "frequency") == 0
    assert one_time.sum() > 1000
    assert (column(cdnow_result, "p_alive")[one_time] == 1.0).all()


def test_by_default_one_time_buyers_are_not_all_certainly_alive(
    cdnow_default: AnalysisResult,
) -> None:
    one_time = column(cdnow_default, "frequency") == 0
    assert column(cdnow_default, "p_alive")[one_time].max() < 0.9


def test_by_default_a_one_time_buyer_is_less_likely_alive_the_longer_ago_they_bought(
    cdnow_default: AnalysisResult,
) -> None:
    one_time = column(cdnow_default, "frequency") == 0
    age, p_alive = column(cdnow_default, "T")[one_time], column(cdnow_default, "p_alive")[one_time]
    order = np.argsort(age)
    assert age[order][0] < age[order][-1]
    assert np.all(np.diff(p_alive[order]) <= 1e-12)


def test_every_warning_is_ranked_by_value_at_risk(cdnow_default: AnalysisResult) -> None:
    rows = cdnow_default.customers.to_pylist()
    assert all((r["churn_rank"] is not None) == r["churn_warning"] for r in rows)
    ranked = sorted((r for r in rows if r["churn_warning"]), key=lambda r: r["churn_rank"])
    assert [r["churn_rank"] for r in ranked] == list(range(1, len(ranked) + 1))
    at_risk = [r["value_at_risk"] for r in ranked]
    assert at_risk == sorted(at_risk, reverse=True)


def test_value_at_risk_is_churn_probability_times_revenue_of_the_last_year(
    cdnow_default: AnalysisResult,
) -> None:
    churn = column(cdnow_default, "churn_probability")
    np.testing.assert_allclose(churn, 1 - column(cdnow_default, "p_alive"))
    expected = churn * column(cdnow_default, "revenue_12m")
    np.testing.assert_allclose(column(cdnow_default, "value_at_risk"), expected)


def test_the_default_call_list_is_the_top_five_percent_of_customers_by_value_at_risk(
    cdnow_default: AnalysisResult,
) -> None:
    rows = cdnow_default.customers.to_pylist()
    listed = [r for r in rows if r["churn_priority"]]
    assert len(listed) == math.ceil(0.05 * 2357)
    assert sorted(r["churn_rank"] for r in listed) == list(range(1, len(listed) + 1))
    listed_overview = cdnow_default.overview["churn_list"]
    assert listed_overview["customers"] == len(listed)
    assert listed_overview["value_col"] == "revenue_12m"
    total = sum(r["value_at_risk"] for r in listed)
    assert listed_overview["value_at_risk"] == pytest.approx(total)


def test_the_call_list_is_shorter_than_the_list_of_warnings(
    cdnow_default: AnalysisResult,
) -> None:
    warned = pc.sum(cdnow_default.customers["churn_warning"]).as_py()
    listed = pc.sum(cdnow_default.customers["churn_priority"]).as_py()
    assert 0 < listed < warned / 5


def test_the_value_at_risk_measure_and_list_share_are_configured(cdnow: ir.Table) -> None:
    priority = ChurnPriorityConfig(value_col="clv", list_share=0.01)
    result = run(cdnow, as_of=dt.date(1997, 9, 30), churn_priority=priority)
    expected = column(result, "churn_probability") * column(result, "clv")
    np.testing.assert_allclose(column(result, "value_at_risk"), expected)
    assert pc.sum(result.customers["churn_priority"]).as_py() == math.ceil(0.01 * 2357)


def test_an_unknown_value_at_risk_measure_is_named() -> None:
    priority = ChurnPriorityConfig(value_col="balance")
    with pytest.raises(ValueError, match="balance"):
        run(tx(many_customers()), churn_priority=priority)


@pytest.mark.parametrize("model", ["paretonbd", "mbgnbd"])
def test_other_purchase_models(cdnow: ir.Table, model: str) -> None:
    result = run(cdnow, as_of=dt.date(1997, 9, 30), clv_model=model)
    assert result.overview["clv_model"]["model"] == model
    p_alive = column(result, "p_alive")
    assert np.isfinite(p_alive).all() and p_alive.min() >= 0 and p_alive.max() <= 1


def test_progress_and_temporary_tables(cdnow: ir.Table) -> None:
    seen: list[str] = []
    analyze(cdnow, **COLS, config=AnalysisConfig(as_of=dt.date(1997, 9, 30)), progress=seen.append)
    assert seen == list(STEPS)
    leftovers = [t for t in cdnow.get_backend().list_tables() if t.startswith("_guanxi_")]
    assert leftovers == []


def test_holdings_and_status_add_customers_without_purchases() -> None:
    rows = [(i, "2024-01-01", 10.0 + i) for i in range(1, 13)]
    rows += [(i, "2024-03-01", 5.0) for i in range(1, 7)]
    holdings = ibis.memtable({"customer_id": [1, 50], "n_holdings": [2, 1]})
    status = ibis.memtable({"customer_id": [60, 70], "status": ["former", "prospect"]})
    result = analyze(tx(rows), **COLS, holdings=holdings, status=status)
    levels = dict(
        zip(
            result.customers["customer_id"].to_pylist(),
            result.customers["pyramid_level"].to_pylist(),
            strict=True,
        )
    )
    assert (levels[50], levels[60], levels[70]) == ("inactive", "potential", "suspect")
    outsider = result.customers.filter(pc.equal(result.customers["customer_id"], 50)).to_pylist()[0]
    assert outsider["n_purchases"] is None and outsider["clv"] is None
    assert outsider["churn_warning"] is False
    assert result.overview["n_customers"] == 12 and result.overview["n_customers_all"] == 15


# --- bad input -----------------------------------------------------------------------------


def many_customers(n: int = 30, repeat: bool = True) -> list[tuple]:
    """``n`` customers buying once in January, every other one again in February/March."""
    rows = [(i, f"2024-01-{1 + i % 28:02d}", 10.0 + i) for i in range(n)]
    if repeat:
        rows += [(i, f"2024-02-{1 + i % 28:02d}", 12.0 + i % 7) for i in range(0, n, 2)]
        rows += [(i, f"2024-03-{1 + i % 28:02d}", 9.0 + i % 5) for i in range(0, n, 4)]
    return rows


def test_returns_and_zero_amounts_are_counted_not_fatal() -> None:
    rows = [*many_customers(), (0, "2024-03-20", -5.0), (99, "2024-02-01", -20.0)]
    rows += [(1, "2024-03-05", 0.0)]
    result = run(tx(rows))
    ids = set(result.customers["customer_id"].to_pylist())
    assert 99 not in ids  # only returned goods: never a purchaser
    assert result.overview["input"]["return_rows"] == 2
    assert result.overview["input"]["zero_amount_rows"] == 1
    assert np.isfinite(column(result, "clv")).all()


def test_duplicates_are_counted_and_optionally_dropped() -> None:
    rows = [*many_customers(), (0, "2024-02-01", 12.0)]  # a copy of customer 0's February row
    kept = run(tx(rows))
    dropped = run(tx(rows), drop_duplicates=True)
    assert kept.overview["input"]["duplicate_rows"] == 1
    spend = {
        name: r.customers.filter(pc.equal(r.customers["customer_id"], 0))["total_revenue"][0]
        for name, r in (("kept", kept), ("dropped", dropped))
    }
    assert spend["kept"].as_py() == pytest.approx(spend["dropped"].as_py() + 12.0)


def test_duplicates_go_uncounted_when_the_config_says_so() -> None:
    rows = [*many_customers(), (0, "2024-02-01", 12.0)]
    result = run(tx(rows), count_duplicates=False)
    assert result.overview["input"]["duplicate_rows"] is None
    assert result.overview["input"]["rows_used"] == len(rows)


def test_future_rows_are_left_out_with_a_warning() -> None:
    rows = [*many_customers(), (1, "2030-01-01", 99.0)]
    result = run(tx(rows), as_of=dt.date(2024, 3, 31))
    assert result.overview["input"]["future_rows"] == 1
    assert "FUTURE_ROWS" in warning_codes(result)
    assert result.overview["as_of"] == "2024-03-31"


def test_missing_customers_are_dropped_with_a_warning() -> None:
    rows = [*many_customers(), (None, "2024-02-01", 5.0), (3, None, 5.0)]
    result = run(tx(rows))
    assert result.overview["input"]["null_customer_rows"] == 1
    assert result.overview["input"]["null_time_rows"] == 1
    assert "DROPPED_ROWS" in warning_codes(result)
    assert None not in result.customers["customer_id"].to_pylist()


def assert_no_model_outputs(result: AnalysisResult) -> None:
    for name in MODEL_COLUMNS:
        assert result.customers[name].null_count == result.customers.num_rows, name
    assert result.overview["clv_total"] is None
    json.dumps(result.overview, allow_nan=False)


def test_single_customer_falls_back_to_empty_clv() -> None:
    result = run(tx([(7, "2024-01-01", 10.0), (7, "2024-02-01", 12.0)]))
    assert result.customers.num_rows == 1
    assert warning_codes(result) == ["TOO_FEW_CUSTOMERS"]
    assert_no_model_outputs(result)
    assert result.customers["score"][0].as_py() is not None


def test_no_repeat_purchases_falls_back_to_empty_clv() -> None:
    result = run(tx(many_customers(repeat=False)))
    assert result.customers.num_rows == 30
    assert warning_codes(result) == ["NO_REPEAT_PURCHASES"]
    assert_no_model_outputs(result)
    assert all(w["zh"] for w in result.overview["warnings"])


def test_degenerate_data_is_refitted_with_a_penalty() -> None:
    # Nobody lapses in these two months: the plain fit runs to the bounds (no dropout).
    result = run(tx(many_customers()))
    assert warning_codes(result) == ["MODEL_PENALIZED"]
    assert result.overview["clv_model"]["penalizer_coef"] == 0.01
    assert np.isfinite(column(result, "clv")).all()
    assert run(tx(many_customers()), retry_penalizer=None).customers["clv"].null_count == 30


def test_failed_fit_falls_back_to_empty_clv(monkeypatch: pytest.MonkeyPatch) -> None:
    class Failing(BetaGeoFitter):
        def fit(self, *args: object, **kwargs: object) -> Failing:
            raise ConvergenceError("did not converge")

    monkeypatch.setitem(CLV_MODELS, AnalysisConfig().clv_model, Failing)
    result = run(tx(many_customers()))
    assert warning_codes(result) == ["MODEL_FAILED"]
    assert "did not converge" in result.overview["warnings"][0]["en"]
    assert_no_model_outputs(result)


def test_few_repeat_customers_use_their_own_spend() -> None:
    result = run(tx(many_customers(n=12)))  # 6 repeat customers < min_model_customers
    assert "SPEND_MODEL_FALLBACK" in warning_codes(result)
    rows = result.customers.to_pylist()
    repeat = [r for r in rows if r["frequency"] > 0]
    assert all(r["expected_spend"] == pytest.approx(r["monetary_value"]) for r in repeat)
    population = np.mean([r["monetary_value"] for r in repeat])
    one_time = [r["expected_spend"] for r in rows if r["frequency"] == 0]
    assert one_time == [pytest.approx(population)] * len(one_time)
    assert np.isfinite(column(result, "clv")).all()
    assert result.overview["clv_model"]["spend_model"]["model"] == "empirical"


def test_text_dates_in_the_wrong_format_name_the_column_and_value() -> None:
    table = ibis.memtable(
        pa.table({"customer_id": [1, 2], "date": ["2024-01-01", "20240102"], "amount": [1.0, 2.0]})
    )
    with pytest.raises(ValueError, match=r"column 'date' has a value '20240102' that is not"):
        run(table)


def test_iso_text_dates_are_accepted() -> None:
    rows = many_customers()
    table = ibis.memtable(
        pa.table(
            {
                "customer_id": [r[0] for r in rows],
                "date": [r[1] for r in rows],
                "amount": [r[2] for r in rows],
            }
        )
    )
    assert run(table).customers.num_rows == 30


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (tx([]), r"empty \(0 rows\)"),
        (tx([(None, "2024-01-01", 1.0)]), "no usable rows"),
        (ibis.memtable({"customer_id": [1], "when": ["2024-01-01"], "amount": [1.0]}), "'date'"),
        (
            ibis.memtable({"customer_id": [1], "date": ["2024-01-01"], "amount": ["ten"]}),
            "must be numeric",
        ),
    ],
)
def test_unusable_input_raises_a_clear_value_error(table: ir.Table, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run(table)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"clv_model": "nope"}, "clv_model must be one of"),
        ({"horizon_months": 0}, "horizon_months"),
        ({"annual_discount_rate": float("nan")}, "annual_discount_rate"),
        ({"time_unit": "month"}, "time_unit"),
    ],
)
def test_bad_config(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AnalysisConfig(**kwargs)
