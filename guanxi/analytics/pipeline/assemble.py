"""Assembling the run's results: the one-row-per-customer table (with the Chinese churn
reasons), the small aggregate tables and the JSON-ready overview of :class:`AnalysisResult`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import string
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanxi.analytics.churn_rules import REASON_TEMPLATES, period_fields
from guanxi.analytics.concentration import (
    customer_profit,
    gini,
    lorenz_curve,
    pareto_share,
    profit_quintiles,
)
from guanxi.analytics.pipeline.config import CUSTOMER, AnalysisConfig
from guanxi.analytics.pipeline.context import Run
from guanxi.analytics.pyramid import pyramid_counts
from guanxi.analytics.rfm import rfm_segment_counts
from guanxi.analytics.summary import InputReport


@dataclass
class AnalysisResult:
    """What :func:`analyze` returns (all tables are Arrow tables, small except ``customers``).

    Attributes:
        customers: one row per customer (purchasers, plus customers only in ``holdings`` or
            ``status``, whose purchase columns are null): ``customer_id``, ``first_purchase``,
            ``last_purchase``, ``recency``, ``frequency``, ``monetary_value``, ``T`` (in the
            time unit), ``days_since_last``, ``n_purchases``, ``total_revenue``,
            ``revenue_12m``, ``r_score``, ``f_score``, ``m_score``, ``rfm_segment`` (code),
            ``rfm_segment_en``, ``rfm_segment_zh``, ``pyramid_level``, ``pyramid_level_en``,
            ``pyramid_level_zh``, ``p_alive``, ``expected_purchases`` (over the horizon),
            ``expected_spend`` (expected value of one purchase), ``clv``, ``churn_warning``,
            ``churn_severity`` (rules fired, 0-3), ``churn_reason`` (English),
            ``churn_reason_zh``, ``churn_reason_codes`` (list of rule codes),
            ``churn_probability`` (1 - P(alive)), ``value_at_risk`` (churn probability x
            the configured value, ``revenue_12m`` by default), ``churn_rank`` (warned
            customers by value at risk, 1 = call first; null without a warning),
            ``churn_priority`` (on the call list: the top of that ranking, sized by
            ``config.churn_priority``; see :mod:`guanxi.analytics.churn_priority`),
            ``score`` (0-100), ``rank`` (1 = best), the value measures of
            :func:`~guanxi.analytics.value.value_measures` (``aum``, ``loans``,
            ``monthly_spend``, ``tenure_months``, ``margin_12m``, ``cost_12m``,
            ``profit_12m``, ``unprofitable``), ``value`` (the profile's measure) and
            ``value_share`` (the share of customers valued at least as high: 0.12 = in the
            top 12 %; null without a positive value); then the churn model's
            ``churn_model_probability`` and ``churn_model_reasons`` (codes; see
            :mod:`.churn_step`), null where it did not judge or explain a customer.
        overview: JSON-ready headline numbers (``churn_list``: the call list's length,
            share, value measure and total value at risk), model parameters, input counts,
            warnings and the seconds each step took (the models are fitted in a background
            thread while ``segments``, ``churn_model`` and the start of ``churn`` run, so
            those times overlap).
        lorenz: ``customer_share``, ``value_share`` (revenue), from (0, 0) to (1, 1).
        rfm_heatmap: ``r_score``, ``f_score``, ``customers``, ``revenue``.
        pyramid_counts: per level: ``level``, ``level_en``, ``level_zh``, ``customers``,
            ``customer_share``, ``value``, ``value_share``.
        segment_counts: per RFM segment: ``segment``, ``segment_en``, ``segment_zh``,
            ``customers``, ``customer_share``, ``revenue``, ``revenue_share``.
        profit_quintiles: ``quintile`` (1 = most profitable), ``customers``, ``revenue``,
            ``cost``, ``profit``, ``profit_share``, ``cumulative_profit_share``.
    """

    customers: pa.Table
    overview: dict[str, Any]
    lorenz: pa.Table
    rfm_heatmap: pa.Table
    pyramid_counts: pa.Table
    segment_counts: pa.Table
    profit_quintiles: pa.Table


_SUMMARY_COLUMNS = (
    "first_purchase",
    "last_purchase",
    "recency",
    "frequency",
    "monetary_value",
    "T",
    "days_since_last",
    "n_purchases",
    "total_revenue",
    "revenue_12m",
)
"""Columns of the customer summary carried into ``AnalysisResult.customers``."""

VALUE_COLUMNS = (
    "aum",
    "loans",
    "monthly_spend",
    "tenure_months",
    "margin_12m",
    "cost_12m",
    "profit_12m",
    "unprofitable",
)
"""Columns of the value measures carried into ``AnalysisResult.customers``."""

CUSTOMER_COLUMNS = [
    CUSTOMER,
    *_SUMMARY_COLUMNS,
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
    "rfm_segment_en",
    "rfm_segment_zh",
    "pyramid_level",
    "pyramid_level_en",
    "pyramid_level_zh",
    "p_alive",
    "expected_purchases",
    "expected_spend",
    "clv",
    "churn_warning",
    "churn_severity",
    "churn_reason",
    "churn_reason_zh",
    "churn_reason_codes",
    "churn_probability",
    "value_at_risk",
    "churn_rank",
    "churn_priority",
    "score",
    "rank",
    *VALUE_COLUMNS,
    "value",
    "value_share",
]
"""Columns of ``AnalysisResult.customers``, in order."""


def assemble_customers(
    summary: ir.Table,
    value: ir.Table,
    rfm: ir.Table,
    pyramid: ir.Table,
    models: ir.Table,
    churn: ir.Table,
    priority: ir.Table,
    scores: ir.Table,
    cfg: AnalysisConfig,
) -> pa.Table:
    """Every per-customer table lined up on the pyramid's customers (the widest universe).

    Each table is read in customer order and its columns are placed beside the others in
    Arrow: the backend joining eight tables of a million rows took seconds, reading them a
    tenth of a second each.
    """
    reasons = churn["reasons"]
    parts = [
        summary.select(CUSTOMER, *_SUMMARY_COLUMNS),
        rfm.select(CUSTOMER, "r_score", "f_score", "m_score", rfm_segment="segment"),
        models,
        churn.select(
            CUSTOMER,
            churn_warning="warning",
            churn_severity="severity",
            churn_reason=ibis.ifelse(
                churn["warning"], ibis.literal("; ").join(reasons.map(lambda r: r.text)), None
            ),
            churn_reason_codes=reasons.map(lambda r: r.code),
            # the numbers for the Chinese text (the English text is churn_reason already)
            _reasons=reasons.map(
                lambda r: ibis.struct(
                    {
                        "code": r.code,
                        "value": r.value,
                        "reference": r.reference,
                        "threshold": r.threshold,
                        "month": r.month,
                    }
                )
            ),
        ),
        priority,
        scores.select(CUSTOMER, "score", rank="overall_rank"),
        value.select(CUSTOMER, *VALUE_COLUMNS),
    ]
    out = pyramid.select(CUSTOMER, pyramid_level="level").order_by(CUSTOMER).to_pyarrow()
    ids = out[CUSTOMER]
    for part in parts:
        lined_up = _lined_up(part.order_by(CUSTOMER).to_pyarrow(), ids)
        for name in lined_up.column_names[1:]:
            out = out.append_column(name, lined_up[name])
    for flag in ("churn_warning", "churn_priority"):
        out = out.set_column(out.schema.get_field_index(flag), flag, pc.fill_null(out[flag], False))
    measure = pc.cast(out[cfg.value.measure], pa.float64())
    out = out.append_column("value", measure).append_column("value_share", _value_share(measure))
    zh = _render_zh(out["_reasons"], cfg.churn.trailing_months)
    out = out.drop_columns("_reasons").append_column("churn_reason_zh", zh)
    out = _with_names(
        out, "pyramid_level", pyramid.select(code="level", en="level_en", zh="level_zh")
    )
    out = _with_names(
        out, "rfm_segment", rfm.select(code="segment", en="segment_en", zh="segment_zh")
    )
    return out.select(CUSTOMER_COLUMNS)


def _lined_up(part: pa.Table, ids: pa.ChunkedArray) -> pa.Table:
    """``part``'s rows in the order of ``ids`` (nulls for customers it lacks); as it is when
    it holds exactly those customers in that order, as every table of a run does today."""
    if part[CUSTOMER].equals(ids):
        return part
    return part.take(pc.index_in(ids, value_set=part[CUSTOMER].combine_chunks()))


def _value_share(measure: pa.ChunkedArray) -> pa.Array:
    """Per customer with a positive value, the share of such customers valued at least as
    high (ties share the better place: 1 + how many are valued higher); null otherwise."""
    values = measure.to_numpy(zero_copy_only=False)  # nulls become NaN, never positive
    positive = values > 0
    ranked = np.sort(values[positive])
    above = len(ranked) - np.searchsorted(ranked, values[positive], side="right") + 1
    shares = np.full(len(values), np.nan)
    shares[positive] = above / len(ranked)
    return pa.array(shares, pa.float64(), mask=~positive)


def _with_names(out: pa.Table, column: str, names: ir.Table) -> pa.Table:
    """``out`` with the English and Chinese names of its ``column`` codes, looked up among
    the few distinct (code, en, zh) of ``names``: carried through the join instead, the
    names of a million customers cost the backend a second."""
    distinct = names.distinct().to_pyarrow()
    position = pc.index_in(out[column], value_set=distinct["code"])
    for lang in ("en", "zh"):
        out = out.append_column(f"{column}_{lang}", pc.take(distinct[lang], position))
    return out


def _render_zh(reasons: pa.ChunkedArray, months: int) -> pa.Array:
    """Chinese reason text per customer ("；"-joined), null where no rule fired.

    Formats the reasons' columns with :data:`REASON_TEMPLATES` directly rather than one
    :func:`~guanxi.analytics.churn_rules.render_reason` call per reason struct: converting
    hundreds of thousands of structs to dicts took longer than the whole churn step. Works
    through the customers in batches so that the Python objects of one batch at a time are
    alive (all at once they set the run's peak memory at millions of customers).
    """
    reasons = reasons.combine_chunks()
    batches = [
        _render_zh_batch(reasons.slice(start, _ZH_BATCH), months)
        for start in range(0, len(reasons), _ZH_BATCH)
    ]
    return pa.concat_arrays(batches) if batches else pa.array([], pa.string())


_ZH_BATCH = 200_000


def _render_zh_batch(reasons: pa.ListArray, months: int) -> pa.Array:
    flat = pc.list_flatten(reasons)
    codes = pc.struct_field(flat, "code")
    numbers = [
        np.nan_to_num(pc.struct_field(flat, name).to_numpy(zero_copy_only=False))
        for name in ("value", "reference", "threshold")
    ]
    days = pc.fill_null(pc.struct_field(flat, "month").cast(pa.int32()), _NO_MONTH)
    days = days.to_numpy(zero_copy_only=False)
    lines = np.empty(len(flat), dtype=object)
    epoch = dt.date(1970, 1, 1)
    # The reasons of one rule, judged month and threshold share every field but two
    # numbers: the template is filled with the shared ones once and turned into a
    # printf-style one, and each reason formats only its value and reference (all fields
    # of every one of hundreds of thousands of reasons by str.format took seconds).
    groups = pa.table({"code": codes, "day": days, "threshold": numbers[2]})
    shared = groups.group_by(["code", "day", "threshold"]).aggregate([])
    for code, day, threshold in zip(*shared.to_pydict().values(), strict=True):
        rows = np.flatnonzero(
            np.asarray(pc.equal(codes, code)) & (days == day) & (numbers[2] == threshold)
        )
        period = (
            {"month": "", "window": ""}
            if day == _NO_MONTH
            else period_fields(epoch + dt.timedelta(days=day), months, "zh")
        )
        fields = {"months": months, "threshold": threshold, **period}
        template = _printf_template(REASON_TEMPLATES[code]["zh"], **fields)
        pairs = zip(numbers[0][rows].tolist(), numbers[1][rows].tolist(), strict=True)
        lines[rows] = [template % pair for pair in pairs]
    offsets = pc.subtract(reasons.offsets, reasons.offsets[0])  # the array may be a slice
    per_customer = pa.ListArray.from_arrays(offsets, pa.array(lines, pa.string()))
    joined = pc.binary_join(per_customer, "；")
    return pc.if_else(pc.greater(pc.list_value_length(reasons), 0), joined, None)


def _printf_template(template: str, **fields: Any) -> str:
    """``template`` (``str.format``) with ``fields`` filled in, as a ``%`` template of its
    ``value`` and ``reference`` (in that order; each formatted exactly as by its spec)."""
    parts, order = [], []
    for literal, name, spec, _conversion in string.Formatter().parse(template):
        parts.append(literal.replace("%", "%%"))
        if name is None:
            continue
        if name in fields:
            parts.append(format(fields[name], spec or "").replace("%", "%%"))
        else:
            if not _PRINTF_SPEC.fullmatch(spec or ""):
                raise ValueError(f"cannot format {{{name}:{spec}}} with %")
            parts.append(f"%{spec}")
            order.append(name)
    if order not in (["value", "reference"], ["value"]):
        raise ValueError(f"a reason template formats {order}, not the value then the reference")
    # Every template takes (value, reference): one without the reference prints it empty.
    return "".join(parts) + ("%.0s" if order == ["value"] else "")


# Specs that format a float alike in str.format and %: a precision and f, e or g.
_PRINTF_SPEC = re.compile(r"\.\d+[feg]|[feg]")


_NO_MONTH = np.iinfo(np.int32).min


def aggregates(
    summary: ir.Table, rfm: ir.Table, pyramid: ir.Table, cfg: AnalysisConfig
) -> dict[str, pa.Table]:
    """The small tables of :class:`AnalysisResult` besides ``customers``."""
    scored = rfm.join(summary.select(CUSTOMER, "total_revenue"), CUSTOMER)
    heatmap = scored.group_by(["r_score", "f_score"]).aggregate(
        customers=scored.count(), revenue=scored["total_revenue"].sum()
    )
    # Revenue per customer as the profit (no cost-to-serve data in a transaction log alone).
    profit = customer_profit(summary, customer_col=CUSTOMER, amount_col="total_revenue")
    return {
        "lorenz": lorenz_curve(
            summary, customer_col=CUSTOMER, points=cfg.lorenz_points
        ).to_pyarrow(),
        "rfm_heatmap": heatmap.order_by(["r_score", "f_score"]).to_pyarrow(),
        "pyramid_counts": pyramid_counts(pyramid).order_by("level").to_pyarrow(),
        "segment_counts": rfm_segment_counts(rfm, summary, customer_col=CUSTOMER)
        .order_by("segment")
        .to_pyarrow(),
        "profit_quintiles": profit_quintiles(
            profit, customer_col=CUSTOMER, groups=cfg.profit_groups
        ).to_pyarrow(),
    }


def build_overview(
    run: Run,
    report: InputReport,
    summary: ir.Table,
    customers: pa.Table,
    model_info: dict[str, Any],
    cfg: AnalysisConfig,
) -> dict[str, Any]:
    """Headline numbers, model information, input counts and warnings (JSON-ready)."""
    pareto = pareto_share(summary, cfg.pareto_fraction, customer_col=CUSTOMER).to_pyarrow()
    clv = customers["clv"]
    severity = customers["churn_severity"].to_numpy(zero_copy_only=False)
    return {
        "as_of": report.as_of.isoformat(),
        "n_customers": int(summary.count().to_pyarrow().as_py()),
        "n_customers_all": customers.num_rows,
        "n_transactions": report.rows_used,
        "total_revenue": float(pareto["total_value"][0].as_py()),
        "pareto_fraction": cfg.pareto_fraction,
        "pareto_share": pareto["share"][0].as_py(),
        "gini": _finite(gini(summary).to_pyarrow().as_py()),
        "clv_model": model_info,
        "clv_total": _finite(pc.sum(clv).as_py()),
        "clv_mean": _finite(pc.mean(clv).as_py()),
        "horizon_months": cfg.horizon_months,
        "annual_discount_rate": cfg.annual_discount_rate,
        "churn_warnings": int(pc.sum(customers["churn_warning"]).as_py() or 0),
        "churn_by_severity": {str(level): int(np.sum(severity == level)) for level in range(1, 4)},
        "churn_list": _churn_list(customers, cfg),
        "input": {k: v for k, v in dataclasses.asdict(report).items() if k != "as_of"},
        "warnings": list(run.warnings),
    }


def _churn_list(customers: pa.Table, cfg: AnalysisConfig) -> dict[str, Any]:
    """The call list in numbers: its length, how it was sized, what it puts at risk."""
    listed = customers.filter(customers["churn_priority"])
    return {
        "customers": listed.num_rows,
        "list_share": cfg.churn_priority.list_share,
        "value_col": cfg.churn_priority.value_col,
        "value_at_risk": _finite(pc.sum(listed["value_at_risk"]).as_py() or 0.0),
    }


def _finite(value: float | None) -> float | None:
    """``value`` or None when it is missing or not finite (JSON has no NaN)."""
    return value if value is not None and math.isfinite(value) else None
