"""RFM scoring (recency, frequency, monetary scores 1-5) and named RFM segments.

Scores are computed with window functions in the backend. The segment map is data: an ordered
list of :class:`SegmentRule` on the R score and the FM score ``(F + M) / 2``, the first
matching rule wins. :data:`DEFAULT_SEGMENT_RULES` is the common R x FM grid with 11 segments:

====  ==========  ============  ============  ============  ============
R     FM 1-1.5    FM 2-2.5      FM 3-3.5      FM 4-4.5      FM 5
====  ==========  ============  ============  ============  ============
5     New         Potential     Loyal         Champions     Champions
4     Promising   Potential     Loyal         Champions     Champions
3     About to    Need          Loyal         Loyal         Loyal
      sleep       attention
2     Hibernating Hibernating   At risk       At risk       At risk
1     Lost        Lost          At risk       Can't lose    Can't lose
====  ==========  ============  ============  ============  ============

:data:`CHINESE_SEGMENT_RULES` is the eight-class model Chinese analysts use: each of R, F
and M is high (a score of 4-5, above the middle quintile) or low, and the combination names
the customer: 重要价值客户 (all high), 重要发展客户 (recent, big spender, buys rarely: develop),
重要保持客户 (frequent big spender who has not bought lately: keep), 重要挽留客户 (big spender,
neither recent nor frequent: win back), and the four 一般 (general) classes with low M.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import ibis
import ibis.expr.types as ir

from guanxi.analytics.code_names import with_names
from guanxi.analytics.summary import require_columns

__all__ = [
    "CHINESE_SEGMENT_RULES",
    "DEFAULT_SEGMENT_RULES",
    "SEGMENT_NAMES",
    "SegmentRule",
    "assign_segments",
    "quantile_score",
    "rfm_scores",
    "rfm_segment_counts",
]

ScoreMethod = Literal["rank", "ntile"]


@dataclass(frozen=True)
class SegmentRule:
    """One cell range of the R x FM grid: ``r_min <= R <= r_max and fm_min <= FM <= fm_max``,
    optionally narrowed by F and M on their own (``f_min <= F <= f_max``, likewise M).

    ``code`` is a stable identifier (store it); ``name_en`` / ``name_zh`` are display names.
    """

    code: str
    name_en: str
    name_zh: str
    r_min: float
    r_max: float
    fm_min: float = 1
    fm_max: float = math.inf
    f_min: float = 1
    f_max: float = math.inf
    m_min: float = 1
    m_max: float = math.inf


DEFAULT_SEGMENT_RULES: tuple[SegmentRule, ...] = (
    SegmentRule("champions", "Champions", "冠军客户", 4, 5, 4, 5),
    SegmentRule("loyal", "Loyal customers", "忠诚客户", 3, 5, 3, 5),
    SegmentRule("cant_lose", "Can't lose them", "不能失去", 1, 1, 4, 5),
    SegmentRule("at_risk", "At risk", "有流失风险", 1, 2, 3, 5),
    SegmentRule("new", "New customers", "新客户", 5, 5, 1, 1.5),
    SegmentRule("promising", "Promising", "有潜力客户", 4, 4, 1, 1.5),
    SegmentRule("potential_loyalist", "Potential loyalists", "潜在忠诚客户", 4, 5, 2, 2.5),
    SegmentRule("need_attention", "Need attention", "需要关注", 3, 3, 2, 2.5),
    SegmentRule("about_to_sleep", "About to sleep", "即将沉睡", 3, 3, 1, 1.5),
    SegmentRule("hibernating", "Hibernating", "休眠客户", 2, 2, 1, 2.5),
    SegmentRule("lost", "Lost", "已流失", 1, 1, 1, 2.5),
)
"""The default 11-segment R x FM grid (first match wins; together they cover every cell)."""

_HIGH, _LOW = (4, math.inf), (1, 3)
CHINESE_SEGMENT_RULES: tuple[SegmentRule, ...] = tuple(
    SegmentRule(code, en, zh, r[0], r[1], f_min=f[0], f_max=f[1], m_min=m[0], m_max=m[1])
    for code, en, zh, r, f, m in (
        ("important_value", "Important value", "重要价值客户", _HIGH, _HIGH, _HIGH),
        ("important_develop", "Important to develop", "重要发展客户", _HIGH, _LOW, _HIGH),
        ("important_keep", "Important to keep", "重要保持客户", _LOW, _HIGH, _HIGH),
        ("important_win_back", "Important to win back", "重要挽留客户", _LOW, _LOW, _HIGH),
        ("general_value", "General value", "一般价值客户", _HIGH, _HIGH, _LOW),
        ("general_develop", "General, to develop", "一般发展客户", _HIGH, _LOW, _LOW),
        ("general_keep", "General, to keep", "一般保持客户", _LOW, _HIGH, _LOW),
        ("general_win_back", "General, to win back", "一般挽留客户", _LOW, _LOW, _LOW),
    )
)
"""The eight-class R x F x M model of Chinese practice (see the module docstring)."""

SEGMENT_NAMES: dict[str, tuple[str, str]] = {
    rule.code: (rule.name_en, rule.name_zh)
    for rule in (*CHINESE_SEGMENT_RULES, *DEFAULT_SEGMENT_RULES)
}
"""Segment code -> (English, Chinese) name, of both rule sets (eight classes first)."""


def quantile_score(
    table: ir.Table,
    column: str,
    *,
    bins: int = 5,
    higher_is_better: bool = True,
    method: ScoreMethod = "rank",
    tie_breaker: str | None = None,
    breaks: Sequence[float] | None = None,
) -> ir.IntegerValue:
    """Score expression 1..``bins`` for ``column`` of ``table`` (``bins`` = best).

    Methods:
        ``"rank"`` (default): ``floor(bins * r / n) + 1`` where ``r`` is the 0-based minimum
        rank from worst to best; tied values always get the same score, so bins can be
        uneven when many values tie (e.g. most customers buy once). Deterministic on every
        backend.
        ``"ntile"``: equal-size bins (``NTILE``), ties split by ``tie_breaker`` (a column,
        e.g. the customer id, for reproducibility).
        ``breaks``: fixed thresholds instead of quantiles, ``bins - 1`` ascending values.
        Higher-is-better: score = 1 + number of breaks <= value. Lower-is-better:
        score = 1 + number of breaks >= value.

    Null values get score 1.
    """
    if bins < 2:
        raise ValueError("bins must be >= 2")
    require_columns(table, column, tie_breaker)
    col = table[column]
    if breaks is not None:
        breaks = list(breaks)
        if len(breaks) != bins - 1 or breaks != sorted(breaks):
            raise ValueError(f"breaks for {column!r} must be {bins - 1} ascending values")
        score: ir.IntegerValue = ibis.literal(1)
        for b in breaks:
            hit = col >= b if higher_is_better else col <= b
            score = score + hit.cast("int64")
    elif method == "rank":
        key = col if higher_is_better else col.desc()
        r = ibis.rank().over(order_by=key)
        n = col.isnull().count().over()  # number of rows (isnull() is never null)
        score = (r * bins / n).floor() + 1
    elif method == "ntile":
        order = [col if higher_is_better else col.desc()]
        if tie_breaker is not None:
            order.append(table[tie_breaker])
        score = ibis.ntile(bins).over(order_by=order) + 1
    else:
        raise ValueError(f"method must be 'rank' or 'ntile', not {method!r}")
    return ibis.ifelse(col.isnull(), 1, score).cast("int64")


def _rule_condition(scores: ir.Table, cols: dict[str, str], rule: SegmentRule) -> ir.BooleanValue:
    """The rule's test; F and M alone only where the rule narrows them (a grid of R and
    FM needs no F or M column)."""
    condition = _within(scores[cols["r"]], rule.r_min, rule.r_max)
    for key, low, high in (
        ("fm", rule.fm_min, rule.fm_max),
        ("f", rule.f_min, rule.f_max),
        ("m", rule.m_min, rule.m_max),
    ):
        if key == "fm" or (low, high) != (1, math.inf):
            condition &= _within(scores[cols[key]], low, high)
    return condition


def _within(value: ir.NumericValue, low: float, high: float) -> ir.BooleanValue:
    return value >= low if math.isinf(high) else value.between(low, high)


def assign_segments(
    scores: ir.Table,
    rules: Sequence[SegmentRule] = DEFAULT_SEGMENT_RULES,
    *,
    r_col: str = "r_score",
    fm_col: str = "fm_score",
    f_col: str = "f_score",
    m_col: str = "m_score",
    other: tuple[str, str, str] = ("other", "Other", "其他"),
) -> ir.Table:
    """Add ``segment``, ``segment_en`` and ``segment_zh`` from the first rule matching the
    scores.

    Rows no rule matches get ``other`` (code, English, Chinese). The names are looked up by
    code rather than chosen by the rules again: three chains of rule conditions per row took
    most of the segments' time at a million customers.
    """
    if not rules:
        raise ValueError("rules is empty")
    names: dict[str, tuple[str, str]] = {}
    for code, en, zh in [(r.code, r.name_en, r.name_zh) for r in rules] + [other]:
        if names.setdefault(code, (en, zh)) != (en, zh):
            raise ValueError(f"segment {code!r} has two different names")
    cols = {"r": r_col, "fm": fm_col, "f": f_col, "m": m_col}
    narrowed = {"f": (1, math.inf), "m": (1, math.inf)}
    needed = [r_col, fm_col] + [
        cols[key]
        for key in narrowed
        if any(
            (getattr(rule, f"{key}_min"), getattr(rule, f"{key}_max")) != narrowed[key]
            for rule in rules
        )
    ]
    require_columns(scores, *needed, what="scores")
    conds = [_rule_condition(scores, cols, rule) for rule in rules]
    codes = [rule.code for rule in rules]
    coded = scores.mutate(segment=ibis.cases(*zip(conds, codes, strict=True), else_=other[0]))
    return with_names(coded, "segment", names)


def rfm_scores(
    summary: ir.Table,
    *,
    customer_col: str = "customer_id",
    recency_col: str = "days_since_last",
    frequency_col: str = "n_purchases",
    monetary_col: str = "total_revenue",
    bins: int = 5,
    method: ScoreMethod = "rank",
    breaks: Mapping[str, Sequence[float]] | None = None,
    rules: Sequence[SegmentRule] | None = DEFAULT_SEGMENT_RULES,
) -> ir.Table:
    """R, F and M scores (1..``bins``, higher = better) and the named segment of each customer.

    Args:
        summary: one row per customer, e.g. from
            :func:`guanxi.analytics.summary.customer_summary`.
        recency_col: days since the last purchase; fewer days = better (higher R).
        frequency_col: number of purchases (more = better); ``frequency`` ranks the same.
        monetary_col: money measure (more = better); default net revenue of the period, use
            ``monetary_value`` for mean repeat spend.
        bins, method: see :func:`quantile_score`.
        breaks: optional fixed thresholds per dimension, keys ``"r"``, ``"f"``, ``"m"``
            (``bins - 1`` ascending values each; for ``"r"`` in days).
        rules: segment rules (default the 11-segment grid); ``None`` skips segmenting.

    Returns:
        ``<customer_col>``, ``r_score``, ``f_score``, ``m_score``, ``fm_score``
        (``(F + M) / 2``), ``rfm_cell`` (e.g. ``"545"``), and unless ``rules`` is None
        ``segment``, ``segment_en``, ``segment_zh``.
    """
    require_columns(summary, customer_col, recency_col, frequency_col, monetary_col, what="summary")
    breaks = dict(breaks or {})
    unknown = set(breaks) - {"r", "f", "m"}
    if unknown:
        raise ValueError(f"breaks keys must be 'r', 'f', 'm'; got {sorted(unknown)}")
    base = summary.select(customer_col, recency_col, frequency_col, monetary_col)

    def score(col: str, key: str, higher: bool) -> ir.IntegerValue:
        return quantile_score(
            base,
            col,
            bins=bins,
            higher_is_better=higher,
            method=method,
            tie_breaker=customer_col,
            breaks=breaks.get(key),
        )

    scored = base.select(
        customer_col,
        r_score=score(recency_col, "r", False),
        f_score=score(frequency_col, "f", True),
        m_score=score(monetary_col, "m", True),
    )
    scored = scored.mutate(
        fm_score=(scored.f_score + scored.m_score).cast("float64") / 2.0,
        rfm_cell=scored.r_score.cast("string")
        .concat(scored.f_score.cast("string"))
        .concat(scored.m_score.cast("string")),
    )
    if rules is None:
        return scored
    return assign_segments(scored, rules)


def rfm_segment_counts(
    rfm: ir.Table,
    summary: ir.Table | None = None,
    *,
    customer_col: str = "customer_id",
    revenue_col: str = "total_revenue",
) -> ir.Table:
    """Customers per segment and their share; with ``summary`` also revenue and its share.

    Columns: ``segment``, ``segment_en``, ``segment_zh``, ``customers``, ``customer_share``
    and, when ``summary`` is given, ``revenue``, ``revenue_share``.
    """
    require_columns(rfm, customer_col, "segment", "segment_en", "segment_zh", what="rfm")
    t = rfm
    aggs: dict[str, ir.Value] = {"customers": t.count()}
    if summary is not None:
        require_columns(summary, customer_col, revenue_col, what="summary")
        s = summary.select(customer_col, _rev=summary[revenue_col])
        t = rfm.left_join(s, customer_col)
        aggs = {"customers": t.count(), "revenue": t["_rev"].sum().fill_null(0.0)}
    out = t.group_by(["segment", "segment_en", "segment_zh"]).aggregate(**aggs)
    out = out.mutate(customer_share=out.customers / out.customers.sum().over())
    if summary is not None:
        out = out.mutate(revenue_share=out.revenue / out.revenue.sum().over())
    return out
