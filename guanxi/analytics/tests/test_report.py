"""The self-contained HTML report (:mod:`guanxi.analytics.report`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path

import ibis.expr.types as ir
import pyarrow as pa
import pytest

from guanxi.analytics.churn_priority import ChurnPriorityConfig
from guanxi.analytics.pipeline import AnalysisConfig, AnalysisResult, analyze
from guanxi.analytics.report import CHART_IDS, LABELS, RISK_LIST_SIZE, render_report, write_report
from guanxi.analytics.tests.helpers import tx


def embedded_data(page: str) -> dict:
    match = re.search(r"<script>const REPORT = (.*?);</script>", page, re.S)
    assert match, "the report data is not embedded"
    return json.loads(match.group(1).replace("<\\/", "</"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_has_every_chart_and_the_inlined_library(
    cdnow_result: AnalysisResult, lang: str, tmp_path: Path
) -> None:
    path = write_report(cdnow_result, tmp_path / "report.html", lang)  # type: ignore[arg-type]
    page = path.read_text(encoding="utf-8")
    for chart in CHART_IDS:
        assert f"id='{chart}'" in page
    assert "echarts.init" in page and len(page) > 1_000_000  # ECharts itself is inlined
    assert not re.search(r"<script[^>]+src=", page) and "cdn" not in page.lower()
    for key in ("pyramid", "rfm", "lorenz", "clv_hist", "risk"):
        assert json.dumps(LABELS[key][lang], ensure_ascii=False)[1:-1] in page
    data = embedded_data(page)
    assert sum(level["customers"] for level in data["pyramid"]) == 2357
    assert data["gini"] == pytest.approx(cdnow_result.overview["gini"])
    assert sum(data["clv"]["counts"]) == 2357
    assert data["lorenz"][0] == [0.0, 0.0]


def test_languages_differ_in_labels_names_and_reasons(cdnow_result: AnalysisResult) -> None:
    en, zh = render_report(cdnow_result, "en"), render_report(cdnow_result, "zh")
    assert '<html lang="en">' in en and '<html lang="zh-CN">' in zh
    assert "Customer base analysis" in en and "客户群分析报告" in zh
    assert "High value, high loyalty" in en and "高价值高忠诚" in zh
    assert "No purchase for" in en and "天未购买" in zh
    assert "客户金字塔" not in en


def _risk_rows(page: str) -> list[tuple[str, str, str, str]]:
    """(customer, call-list mark, severity, value at risk) of each row of the risk list."""
    table = page[page.index("<table id='risk-list'>") :]
    return re.findall(r"<tr><td>(.*?)</td><td>(●?)</td><td>(\d)</td><td>([\d,.]+)</td>", table)


@pytest.fixture(scope="module")
def short_list(cdnow: ir.Table) -> AnalysisResult:
    """CDNOW with a call list of 1 % of the customers (24), shorter than the risk list."""
    config = AnalysisConfig(
        as_of=dt.date(1997, 9, 30), churn_priority=ChurnPriorityConfig(list_share=0.01)
    )
    return analyze(
        cdnow, customer_col="customer_id", time_col="date", amount_col="amount", config=config
    )


def test_risk_list_puts_the_call_list_first(short_list: AnalysisResult) -> None:
    rows = _risk_rows(render_report(short_list, "en"))
    assert len(rows) == RISK_LIST_SIZE
    listed = short_list.overview["churn_list"]["customers"]
    assert listed == 24
    assert [mark for _, mark, _, _ in rows] == ["●"] * listed + [""] * (RISK_LIST_SIZE - listed)


def test_risk_list_sorts_each_part_by_value_at_risk(short_list: AnalysisResult) -> None:
    rows = _risk_rows(render_report(short_list, "en"))
    for part in ("●", ""):
        at_risk = [float(v.replace(",", "")) for _, mark, _, v in rows if mark == part]
        assert at_risk and at_risk == sorted(at_risk, reverse=True)


def test_report_without_clv_or_warnings_and_with_hostile_ids() -> None:
    # "<b>x</b>" bought twice in January and then stopped: overdue, so in the risk list
    rows = [("<b>x</b>", "2024-01-01", 5.0), ("<b>x</b>", "2024-01-05", 6.0)]
    rows += [("y", "2024-06-01", 7.0)]
    table = tx(rows, columns=("customer", "date", "amount"))
    result = analyze(table, customer_col="customer", time_col="date", amount_col="amount")
    page = render_report(result, "zh")
    assert embedded_data(page)["clv"] is None
    assert LABELS["no_clv"]["zh"] in page
    assert "仅有 2 位客户" in page  # the TOO_FEW_CUSTOMERS warning, in Chinese
    assert "<b>x</b>" not in page and "<td>&lt;b&gt;x&lt;/b&gt;</td>" in page
    no_warnings = dataclasses.replace(
        result,
        customers=result.customers.set_column(
            result.customers.schema.get_field_index("churn_warning"),
            "churn_warning",
            pa.array([False] * result.customers.num_rows),
        ),
    )
    assert LABELS["none"]["en"] in render_report(no_warnings, "en")


def test_unknown_language(cdnow_result: AnalysisResult) -> None:
    with pytest.raises(ValueError, match="lang must be"):
        render_report(cdnow_result, "fr")  # type: ignore[arg-type]


def test_risk_list_note_names_the_value_at_risk_measure(short_list: AnalysisResult) -> None:
    assert "流失概率 x 近 12 个月收入" in render_report(short_list, "zh")
    assert "churn probability x revenue of the last 12 months" in render_report(short_list, "en")
