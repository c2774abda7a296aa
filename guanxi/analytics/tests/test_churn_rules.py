"""Churn early-warning rules: each rule fires (and only fires) where it should."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from guanxi.analytics.churn_rules import (
    ChurnRuleConfig,
    churn_warnings,
    judged_month,
    period_fields,
    render_reason,
)
from guanxi.analytics.summary import customer_summary, monthly_spend
from guanxi.analytics.tests.helpers import by_customer, tx

D = dt.date
ROWS = [
    # 1: 100 a month Jan-Jun 2024, 10 in July -> spend drop (10 < 0.3 * 100)
    *[(1, D(2024, m, 5), 100.0) for m in range(1, 7)],
    (1, D(2024, 7, 3), 10.0),
    # 2: every 10 days in January, then silence until 31 July -> overdue (192 > 3 * 10)
    (2, D(2024, 1, 1), 50.0),
    (2, D(2024, 1, 11), 50.0),
    (2, D(2024, 1, 21), 50.0),
    # 3: a single purchase in July: no gap, no trailing spend
    (3, D(2024, 7, 20), 5.0),
    # 4: 40 in July after 60 a month Feb-Jul: 40 >= 0.3 * average -> no warning
    *[(4, D(2024, m, 15), 60.0) for m in range(2, 7)],
    (4, D(2024, 7, 15), 40.0),
]
AS_OF = "2024-07-31"
P_ALIVE = ibis.memtable({"customer_id": [1, 2, 3, 4], "p_alive": [0.9, 0.2, 0.1, 0.3]})


def _warnings(**kwargs):
    t = tx(ROWS)
    return churn_warnings(
        customer_summary(t, as_of=AS_OF),
        monthly=monthly_spend(t, as_of=AS_OF),
        p_alive=P_ALIVE,
        **kwargs,
    )


def test_each_rule_with_reasons():
    w = by_customer(_warnings())
    assert w[1]["warning"] is True
    assert w[1]["severity"] == 1 and w[1]["severity_label"] == "low"
    assert w[1]["reasons"] == [
        {
            "code": "SPEND_DROP",
            "value": 10.0,
            "reference": 100.0,
            "threshold": 0.3,
            "month": D(2024, 7, 1),
            "text": "Spend in 2024-07 (10.0) is below 30% of the monthly average of "
            "2024-01 to 2024-06 (100.0)",
        }
    ]
    assert w[1]["mean_gap_days"] == pytest.approx(180 / 6)  # 5 Jan -> 3 Jul, 6 gaps
    # customer 2: trailing average 150 / 6 = 25, nothing in July; 192 days > 3 * 10;
    # second-highest revenue (top 20 % of 4 customers = rank 0 only) -> no P(alive) rule
    assert [r["code"] for r in w[2]["reasons"]] == ["SPEND_DROP", "OVERDUE"]
    overdue = w[2]["reasons"][1]
    assert (overdue["value"], overdue["reference"], overdue["threshold"]) == (192.0, 10.0, 3.0)
    assert (
        overdue["text"] == "No purchase for 192 days, more than 3 times the usual gap of 10.0 days"
    )
    assert w[2]["trailing_avg_spend"] == pytest.approx(25.0)
    assert w[3]["warning"] is False and w[3]["reasons"] == [] and w[3]["severity_label"] == "none"
    assert w[4]["warning"] is False  # 40 >= 0.3 * 50 (300 over 6 months)
    assert w[4]["trailing_avg_spend"] == pytest.approx(50.0)


def test_p_alive_rule_for_top_value_customers():
    cfg = ChurnRuleConfig(top_value_fraction=0.5)  # customers 1 (610) and 4 (340)
    w = by_customer(_warnings(config=cfg))
    codes = {c: [r["code"] for r in w[c]["reasons"]] for c in w}
    assert codes[4] == ["LOW_P_ALIVE"]  # 0.3 < 0.5
    assert "LOW_P_ALIVE" not in codes[1]  # 0.9
    assert "LOW_P_ALIVE" not in codes[3]  # 0.1 but low value
    r = w[4]["reasons"][0]
    assert (r["value"], r["threshold"]) == (0.3, 0.5)
    assert render_reason(r, "zh") == "高价值客户的活跃概率(0.30)低于0.50"


def test_thresholds_an_explicit_month_and_filter():
    cfg = ChurnRuleConfig(spend_drop_fraction=0.9, overdue_factor=30)
    w = by_customer(_warnings(config=cfg, current_month=D(2024, 7, 1), only_warnings=True))
    # 40 < 0.9 * 50 now fires for customer 4; 192 days < 30 * 10 no longer overdue
    assert set(w) == {1, 2, 4}
    assert [r["code"] for r in w[2]["reasons"]] == ["SPEND_DROP"]
    # judging June instead: customer 1 spent 100 = its average -> quiet
    w = by_customer(_warnings(current_month=D(2024, 6, 1)))
    assert w[1]["warning"] is False
    assert w[1]["current_spend"] == 100.0


def test_rules_skipped_without_inputs():
    t = tx(ROWS)
    w = by_customer(churn_warnings(customer_summary(t, as_of=AS_OF)))
    assert [r["code"] for r in w[2]["reasons"]] == ["OVERDUE"]
    assert w[1]["warning"] is False
    assert w[1]["current_spend"] is None and w[1]["p_alive"] is None


def test_render_reason_languages():
    reason = {
        "code": "SPEND_DROP",
        "value": 10.0,
        "reference": 100.0,
        "threshold": 0.3,
        "month": D(2026, 11, 1),
    }
    assert render_reason(reason) == (
        "Spend in 2026-11 (10.00) is below 30% of the monthly average of 2026-05 to 2026-10 "
        "(100.00)"
    )
    assert (
        render_reason(reason, "zh")
        == "2026年11月消费(10.00)低于2026年5月至10月月均消费(100.00)的30%"
    )
    assert render_reason({"code": "X", "text": "fallback"}, "zh") == "fallback"
    with pytest.raises(ValueError):
        ChurnRuleConfig(trailing_months=0)


def test_a_spend_drop_reason_without_its_month_falls_back_to_the_stored_text():
    reason = {"code": "SPEND_DROP", "value": 1.0, "reference": 9.0, "threshold": 0.3}
    assert render_reason({**reason, "text": "stored"}, "zh") == "stored"


# --- the judged month ------------------------------------------------------------------------

# Customer 1 spends 100 on the 5th of every month January-July 2024; customer 5 bought on
# 2 August, so the data's latest month is August, of which only four days have passed.
STEADY = [*[(1, D(2024, m, 5), 100.0) for m in range(1, 8)], (5, D(2024, 8, 2), 20.0)]


def _steady_warnings(end: str, **kwargs):
    t = tx(STEADY)
    return by_customer(
        churn_warnings(
            customer_summary(t, as_of=end), monthly=monthly_spend(t, as_of=end), **kwargs
        )
    )


def test_the_month_in_progress_is_not_judged():
    w = _steady_warnings("2024-08-04", as_of=D(2024, 8, 4))
    assert w[1]["warning"] is False
    assert w[1]["current_spend"] == 100.0  # July's


def test_without_as_of_the_summary_tells_which_month_is_complete():
    w = _steady_warnings("2024-08-04")
    assert w[1]["warning"] is False and w[1]["current_spend"] == 100.0


def test_the_as_of_month_is_judged_when_as_of_is_its_last_day():
    w = _steady_warnings("2024-08-31", as_of=D(2024, 8, 31))
    assert w[1]["current_spend"] == 0.0
    assert [r["code"] for r in w[1]["reasons"]] == ["SPEND_DROP"]
    assert w[1]["reasons"][0]["month"] == D(2024, 8, 1)


def test_the_judged_month_is_the_last_complete_one():
    assert judged_month(D(2026, 12, 4)) == D(2026, 11, 1)
    assert judged_month(D(2026, 11, 30)) == D(2026, 11, 1)
    assert judged_month(D(2026, 1, 1)) == D(2025, 12, 1)


def test_the_trailing_window_is_named_across_a_new_year():
    assert period_fields(D(2026, 2, 1), 6) == {"month": "2026-02", "window": "2025-08 to 2026-01"}
    assert period_fields(D(2026, 2, 1), 6, "zh") == {
        "month": "2026年2月",
        "window": "2025年8月至2026年1月",
    }
    assert period_fields(D(2026, 2, 1), 1, "zh")["window"] == "2026年1月"
