"""A self-contained HTML report of an :class:`~guanxi.analytics.pipeline.AnalysisResult`.

:func:`write_report` writes one ``report.html`` that opens without a network: the vendored
Apache ECharts script is inlined, the data is embedded as JSON. It shows the headline
numbers, the customer pyramid, the RFM heatmap (R score x F score), the Lorenz curve with the
Gini coefficient, the CLV distribution and the churn-risk list (the call list first, then the
other warnings, each by value at risk, with their reasons). Every label exists in English
and Chinese.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanxi.analytics.pipeline import AnalysisResult

__all__ = ["CHART_IDS", "LABELS", "render_report", "write_report"]

Lang = Literal["en", "zh"]

CHART_IDS = ("chart-pyramid", "chart-rfm", "chart-lorenz", "chart-clv")
"""The ``id`` of each chart container in the page."""

RISK_LIST_SIZE = 100
CLV_BINS = 30
# The CLV histogram stops at this quantile: a few very large customers would otherwise
# squeeze everyone else into the first bar.
CLV_CLIP_QUANTILE = 0.99

LABELS: dict[str, dict[str, str]] = {
    "title": {"en": "Customer base analysis", "zh": "客户群分析报告"},
    "as_of": {"en": "Data as of", "zh": "数据截至"},
    "customers": {"en": "Customers", "zh": "客户数"},
    "transactions": {"en": "Transactions", "zh": "交易笔数"},
    "revenue": {"en": "Revenue", "zh": "收入"},
    "pareto": {"en": "Revenue from the top {pct} of customers", "zh": "前 {pct} 客户贡献的收入"},
    "gini": {"en": "Gini coefficient", "zh": "基尼系数"},
    "clv_total": {"en": "Total CLV ({months} months)", "zh": "客户终身价值合计({months} 个月)"},
    "churn_count": {"en": "Customers with a churn warning", "zh": "有流失预警的客户"},
    "call_count": {"en": "On the call list", "zh": "优先挽留名单"},
    "pyramid": {"en": "Customer pyramid", "zh": "客户金字塔"},
    "rfm": {"en": "RFM heatmap (customers)", "zh": "RFM 热力图(客户数)"},
    "r_score": {"en": "R score (recency)", "zh": "R 分(最近购买)"},
    "f_score": {"en": "F score (frequency)", "zh": "F 分(购买频次)"},
    "lorenz": {"en": "Lorenz curve of revenue", "zh": "收入洛伦兹曲线"},
    "customer_share": {"en": "Share of customers", "zh": "客户占比"},
    "revenue_share": {"en": "Share of revenue", "zh": "收入占比"},
    "equality": {"en": "Perfect equality", "zh": "绝对平均线"},
    "clv_hist": {"en": "CLV distribution", "zh": "客户终身价值分布"},
    "clv": {"en": "CLV", "zh": "终身价值"},
    "risk": {"en": "Churn-risk list", "zh": "流失风险名单"},
    "risk_note": {
        "en": "The first {n} warnings: the call list (the warned customers with the largest "
        "value at risk, at most {share} of all customers) first, then the other warnings, "
        "each by value at risk (churn probability x {value}).",
        "zh": "前 {n} 条预警:先列优先挽留名单(风险价值最高的预警客户,至多占全部客户的 "
        "{share}),再列其余预警,均按风险价值(流失概率 x {value})排序。",
    },
    "call_list": {"en": "Call list", "zh": "优先挽留"},
    "measure_revenue_12m": {"en": "revenue of the last 12 months", "zh": "近 12 个月收入"},
    "measure_total_revenue": {"en": "revenue to date", "zh": "累计收入"},
    "measure_clv": {"en": "CLV", "zh": "终身价值"},
    "value_at_risk": {"en": "Value at risk", "zh": "风险价值"},
    "customer": {"en": "Customer", "zh": "客户"},
    "severity": {"en": "Severity", "zh": "严重程度"},
    "p_alive": {"en": "P(alive)", "zh": "活跃概率"},
    "segment": {"en": "RFM segment", "zh": "RFM 分群"},
    "reasons": {"en": "Reasons", "zh": "预警原因"},
    "no_clv": {"en": "CLV was not computed (see warnings).", "zh": "未计算终身价值(见提示)。"},
    "warnings": {"en": "Warnings", "zh": "提示"},
    "none": {"en": "No churn warnings.", "zh": "没有流失预警。"},
}
"""Label key -> language -> text (some are ``str.format`` templates)."""


def write_report(result: AnalysisResult, path: str | Path, lang: Lang = "en") -> Path:
    """Write the report of ``result`` to ``path`` in ``lang`` (``"en"`` or ``"zh"``).

    Returns the path written. Raises ``ValueError`` for an unknown language.
    """
    target = Path(path)
    target.write_text(render_report(result, lang), encoding="utf-8")
    return target


def render_report(result: AnalysisResult, lang: Lang = "en") -> str:
    """The report of ``result`` as one HTML string (see the module docstring)."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
    data = _chart_data(result, lang)
    body = "\n".join(
        [
            f"<h1>{_t('title', lang)}</h1>",
            f"<p class='muted'>{_t('as_of', lang)} {html.escape(result.overview['as_of'])}</p>",
            _warnings_html(result.overview, lang),
            _headline_html(result.overview, lang),
            "<div class='grid'>",
            *(f"<div class='chart' id='{chart}'></div>" for chart in CHART_IDS),
            "</div>",
            _risk_html(result.customers, result.overview, lang),
        ]
    )
    return _PAGE.format(
        lang="zh-CN" if lang == "zh" else "en",
        title=_t("title", lang),
        style=_STYLE,
        body=body,
        echarts=_echarts_js(),
        data=_json_for_script(data),
        script=_SCRIPT,
    )


def _t(key: str, lang: Lang, **fields: Any) -> str:
    return html.escape(LABELS[key][lang].format(**fields))


def _echarts_js() -> str:
    """The vendored ECharts bundle (shipped as package data of ``guanxi.web``)."""
    script = resources.files("guanxi.web").joinpath("static/vendor/echarts/echarts.min.js")
    # A literal "</script" inside the bundle would end the inline script element early.
    return script.read_text(encoding="utf-8").replace("</script", "<\\/script")


def _json_for_script(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _number(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _headline_html(overview: dict[str, Any], lang: Lang) -> str:
    share = overview.get("pareto_share")
    items = [
        (_t("customers", lang), _number(overview["n_customers"])),
        (_t("transactions", lang), _number(overview["n_transactions"])),
        (_t("revenue", lang), _number(overview["total_revenue"], 2)),
        (
            _t("pareto", lang, pct=f"{overview['pareto_fraction']:.0%}"),
            "–" if share is None else f"{share:.1%}",
        ),
        (_t("gini", lang), _number(overview.get("gini"), 3)),
        (
            _t("clv_total", lang, months=overview["horizon_months"]),
            _number(overview.get("clv_total"), 2),
        ),
        (_t("churn_count", lang), _number(overview["churn_warnings"])),
        (_t("call_count", lang), _number(overview["churn_list"]["customers"])),
    ]
    cards = "".join(
        f"<div class='card'><div class='label'>{label}</div><div class='value'>{value}</div></div>"
        for label, value in items
    )
    return f"<div class='cards' id='headline'>{cards}</div>"


def _warnings_html(overview: dict[str, Any], lang: Lang) -> str:
    warnings = overview.get("warnings") or []
    if not warnings:
        return ""
    items = "".join(f"<li>{html.escape(w[lang])}</li>" for w in warnings)
    return f"<div class='warnings'><strong>{_t('warnings', lang)}</strong><ul>{items}</ul></div>"


def _risk_html(customers: pa.Table, overview: dict[str, Any], lang: Lang) -> str:
    listed = overview["churn_list"]
    note = _t(
        "risk_note",
        lang,
        n=RISK_LIST_SIZE,
        share=f"{listed['list_share']:.0%}",
        value=html.escape(
            LABELS.get(f"measure_{listed['value_col']}", {}).get(lang, listed["value_col"])
        ),
    )
    heading = f"<h2>{_t('risk', lang)}</h2><p class='muted'>{note}</p>"
    reason_col = "churn_reason_zh" if lang == "zh" else "churn_reason"
    segment_col = f"rfm_segment_{lang}"
    columns = ["customer_id", "churn_priority", "churn_severity", "value_at_risk", "clv"]
    shown = [*columns, "p_alive", segment_col, reason_col]
    # only the columns shown are filtered: all of a million customers' took a second
    at_risk = customers.select([*shown, "churn_rank"]).filter(
        pc.fill_null(customers["churn_warning"], False)
    )
    if at_risk.num_rows == 0:
        return f"{heading}<p>{_t('none', lang)}</p>"
    # the call list first, each part by rank (value at risk): one integer key
    later = pc.if_else(at_risk["churn_priority"], 0, at_risk.num_rows)
    at_risk = at_risk.append_column("_order", pc.add(at_risk["churn_rank"], later))
    order = [("_order", "ascending")]
    # a top-k selection, then a sort of only those rows: a full sort of a million
    # customers took longer than the rest of the report
    top = pc.select_k_unstable(at_risk, RISK_LIST_SIZE, sort_keys=order)
    top = at_risk.take(top).sort_by(order)
    keys = ("customer", "call_list", "severity", "value_at_risk", "clv", "p_alive", "segment")
    header = "".join(f"<th>{_t(key, lang)}</th>" for key in (*keys, "reasons"))
    rows = []
    for row in top.select(shown).to_pylist():
        cells = [
            html.escape(str(row["customer_id"])),
            "●" if row["churn_priority"] else "",
            str(row["churn_severity"]),
            _number(row["value_at_risk"], 2),
            _number(row["clv"], 2),
            _number(row["p_alive"], 2),
            html.escape(row[segment_col] or ""),
            html.escape(row[reason_col] or ""),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    table = f"<table id='risk-list'><thead><tr>{header}</tr></thead><tbody>"
    return heading + table + "".join(rows) + "</tbody></table>"


def _chart_data(result: AnalysisResult, lang: Lang) -> dict[str, Any]:
    """Everything the charts plot, with their titles, in the report's language."""
    levels = result.pyramid_counts.to_pylist()
    return {
        "labels": {key: LABELS[key][lang] for key in LABELS},
        # A pyramid of fixed layer widths (level A narrowest, on top); the customer counts
        # are labels. Widths by count would turn it upside down: D is usually the largest.
        "pyramid": [
            {
                "name": row[f"level_{lang}"],
                "value": rank,
                "customers": row["customers"],
                "share": row["customer_share"],
            }
            for rank, row in enumerate(levels, start=1)
        ],
        "rfm": [
            [row["f_score"] - 1, row["r_score"] - 1, row["customers"]]
            for row in result.rfm_heatmap.to_pylist()
        ],
        "lorenz": [
            [row["customer_share"], row["value_share"]] for row in result.lorenz.to_pylist()
        ],
        "gini": result.overview.get("gini"),
        "clv": _clv_histogram(result.customers["clv"]),
    }


def _clv_histogram(clv: pa.ChunkedArray) -> dict[str, list] | None:
    values = clv.drop_null().to_numpy()
    if values.size == 0:
        return None
    top = float(np.quantile(values, CLV_CLIP_QUANTILE))
    counts, edges = np.histogram(np.clip(values, 0.0, top), bins=CLV_BINS, range=(0.0, top or 1.0))
    bins = [f"{lo:,.0f}–{hi:,.0f}" for lo, hi in zip(edges[:-2], edges[1:-1], strict=True)]
    bins.append(f"≥ {edges[-2]:,.0f}")  # the last bar also holds the clipped top customers
    return {"bins": bins, "counts": counts.tolist()}


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;
margin:24px;color:#1d273b;background:#f6f8fb}
h1{margin:0 0 4px}.muted{color:#667382}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border-radius:8px;padding:12px 16px;min-width:170px;
box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card .label{color:#667382;font-size:13px}.card .value{font-size:22px;font-weight:600}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:16px}
.chart{background:#fff;border-radius:8px;height:380px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.warnings{background:#fff4e5;border-left:4px solid #f59f00;padding:8px 16px;margin:12px 0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border-bottom:1px solid #e6e7e9;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f5}
"""

_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
{body}
<script>{echarts}</script>
<script>const REPORT = {data};</script>
<script>{script}</script>
</body>
</html>
"""

# Chart options: the pyramid is an ECharts funnel of the levels in order (the smallest
# value, level A's rank 1, on top); the RFM heatmap puts F on x and R on y (1-5).
_SCRIPT = """
(function () {
  const L = REPORT.labels;
  function chart(id, option) {
    const el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return;
    echarts.init(el).setOption(option);
  }
  function levelText(p, sep) {
    return p.name + sep + p.data.customers.toLocaleString() + " (" +
      (100 * p.data.share).toFixed(1) + "%)";
  }
  chart("chart-pyramid", {
    title: {text: L.pyramid},
    tooltip: {trigger: "item", formatter: function (p) { return levelText(p, ": "); }},
    series: [{type: "funnel", sort: "ascending", top: 50, bottom: 10, minSize: "30%",
              label: {show: true, position: "inside",
                      formatter: function (p) { return levelText(p, "\\n"); }},
              data: REPORT.pyramid}]
  });
  const maxCell = Math.max(1, ...REPORT.rfm.map(function (c) { return c[2]; }));
  chart("chart-rfm", {
    title: {text: L.rfm},
    tooltip: {position: "top"},
    grid: {top: 60, left: 70, bottom: 60},
    xAxis: {type: "category", name: L.f_score, nameLocation: "middle", nameGap: 30,
            data: ["1", "2", "3", "4", "5"]},
    yAxis: {type: "category", name: L.r_score, data: ["1", "2", "3", "4", "5"]},
    visualMap: {min: 0, max: maxCell, calculable: true, orient: "horizontal", right: 10,
                top: 5},
    series: [{type: "heatmap", data: REPORT.rfm, label: {show: true}}]
  });
  chart("chart-lorenz", {
    title: {text: L.lorenz,
            subtext: REPORT.gini === null ? "" : L.gini + " = " + REPORT.gini.toFixed(3)},
    tooltip: {trigger: "axis"},
    legend: {bottom: 0},
    grid: {top: 70, left: 70},
    xAxis: {type: "value", min: 0, max: 1, name: L.customer_share, nameLocation: "middle",
            nameGap: 25},
    yAxis: {type: "value", min: 0, max: 1, name: L.revenue_share, nameLocation: "middle",
            nameGap: 40},
    series: [
      {name: L.lorenz, type: "line", showSymbol: false, areaStyle: {opacity: 0.15},
       data: REPORT.lorenz},
      {name: L.equality, type: "line", showSymbol: false, lineStyle: {type: "dashed"},
       data: [[0, 0], [1, 1]]}
    ]
  });
  chart("chart-clv", REPORT.clv === null ? {title: {text: L.clv_hist, subtext: L.no_clv}} : {
    title: {text: L.clv_hist},
    tooltip: {trigger: "axis"},
    grid: {top: 60, left: 60, bottom: 80},
    xAxis: {type: "category", data: REPORT.clv.bins, axisLabel: {rotate: 45}, name: L.clv},
    yAxis: {type: "value", name: L.customers},
    series: [{type: "bar", data: REPORT.clv.counts}]
  });
})();
"""
