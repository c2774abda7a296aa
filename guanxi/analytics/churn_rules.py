"""Rule-based churn early warning: transparent rules, each firing rule gives a reason.

Rules (all thresholds in :class:`ChurnRuleConfig`):

``SPEND_DROP``
    The judged month's spend is below ``spend_drop_fraction`` (0.3) of the customer's
    average monthly spend over the previous ``trailing_months`` (6) calendar months (months
    without spend count as 0; customers with no spend in those months are not judged). The
    judged month is the last *complete* month of the run (:func:`judged_month`): a month
    in progress looks like a drop for nearly everyone.
``OVERDUE``
    Days since the last purchase exceed ``overdue_factor`` (3) times the customer's own mean
    gap between purchases (customers with at least 2 purchase days).
``LOW_P_ALIVE``
    A customer in the top ``top_value_fraction`` (20 %) by value has a P(alive) (from a model
    such as BG/NBD, given as a table) below ``p_alive_threshold`` (0.5).

Each reason is a struct ``{code, value, reference, threshold, month, text}``: the code,
numbers and judged month (``SPEND_DROP`` only; null otherwise) let the UI render any
language (:data:`REASON_TEMPLATES`, :func:`render_reason`); ``text`` is a ready English
sentence. Severity is the number of rules fired (0-3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from guanxi.analytics.summary import require_columns

__all__ = [
    "REASON_TEMPLATES",
    "ChurnRuleConfig",
    "add_months",
    "churn_warnings",
    "judged_month",
    "period_fields",
    "render_reason",
]

REASON_TEMPLATES: dict[str, dict[str, str]] = {
    "SPEND_DROP": {
        "en": "Spend in {month} ({value:.2f}) is below {threshold:.0%} of the monthly average "
        "of {window} ({reference:.2f})",
        "zh": "{month}消费({value:.2f})低于{window}月均消费({reference:.2f})的{threshold:.0%}",
    },
    "OVERDUE": {
        "en": "No purchase for {value:.0f} days, more than {threshold:g} times the usual "
        "gap of {reference:.1f} days",
        "zh": "已{value:.0f}天未购买,超过其平均购买间隔({reference:.1f}天)的{threshold:g}倍",
    },
    "LOW_P_ALIVE": {
        "en": "Top-value customer whose probability of being active ({value:.2f}) is below "
        "{threshold:.2f}",
        "zh": "高价值客户的活跃概率({value:.2f})低于{threshold:.2f}",
    },
}
"""Reason code -> language -> ``str.format`` template (fields: value, reference, threshold,
months, and from :func:`period_fields` month and window)."""

SEVERITY_LABELS = ("none", "low", "medium", "high")


@dataclass(frozen=True)
class ChurnRuleConfig:
    """Thresholds of the churn rules (see the module docstring)."""

    spend_drop_fraction: float = 0.3
    trailing_months: int = 6
    overdue_factor: float = 3.0
    p_alive_threshold: float = 0.5
    top_value_fraction: float = 0.2
    value_col: str = "total_revenue"
    p_alive_col: str = "p_alive"

    def __post_init__(self) -> None:
        if self.trailing_months < 1:
            raise ValueError("trailing_months must be >= 1")
        if not 0 < self.top_value_fraction <= 1:
            raise ValueError("top_value_fraction must be in (0, 1]")
        if self.spend_drop_fraction <= 0 or self.overdue_factor <= 0:
            raise ValueError("spend_drop_fraction and overdue_factor must be > 0")


# --- the judged month ----------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """First day of the month ``months`` calendar months after ``day``'s (before if < 0)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def judged_month(as_of: dt.date) -> dt.date:
    """First day of the month ``SPEND_DROP`` judges for a run as of ``as_of``: the last
    complete month -- the as-of month itself only when ``as_of`` is its last day."""
    month_end = (as_of + dt.timedelta(days=1)).day == 1
    return add_months(as_of, 0 if month_end else -1)


def _month_label(month: dt.date, lang: str, *, year: bool = True) -> str:
    if lang == "zh":
        return f"{month.year}年{month.month}月" if year else f"{month.month}月"
    return f"{month.year}-{month.month:02d}"


def period_fields(month: dt.date, months: int, lang: str = "en") -> dict[str, str]:
    """The ``month`` and ``window`` fields of the reason templates: the judged month and the
    ``months`` months before it, e.g. ``2026-11`` and ``2026-05 to 2026-10`` (English) or
    ``2026年11月`` and ``2026年5月至10月`` (Chinese)."""
    first, last = add_months(month, -months), add_months(month, -1)
    if first == last:
        window = _month_label(first, lang)
    elif lang == "zh":
        window = (
            f"{_month_label(first, lang)}至{_month_label(last, lang, year=first.year != last.year)}"
        )
    else:
        window = f"{_month_label(first, lang)} to {_month_label(last, lang)}"
    return {"month": _month_label(month, lang), "window": window}


def render_reason(reason: Mapping[str, Any], lang: str = "en", *, months: int = 6) -> str:
    """Render one reason struct (as returned in ``reasons``) in ``lang`` (``"en"``/``"zh"``);
    ``months`` is the rule's ``trailing_months``.

    Falls back to the stored English ``text`` for an unknown code or language, and for a
    reason that needs its judged month but carries none.
    """
    template = REASON_TEMPLATES.get(str(reason.get("code")), {}).get(lang)
    month = reason.get("month")
    if isinstance(month, str):
        month = dt.date.fromisoformat(month)
    if template is None or ("{month}" in template and month is None):
        return str(reason.get("text", ""))
    return template.format(
        value=reason.get("value") or 0.0,
        reference=reason.get("reference") or 0.0,
        threshold=reason.get("threshold") or 0.0,
        months=months,
        **(period_fields(month, months, lang) if month is not None else {}),
    )


def _fmt(x: ir.NumericValue, digits: int) -> ir.StringValue:
    return x.round(digits).cast("string")


def _reason(
    fire: ir.BooleanValue,
    code: str,
    value: ir.NumericValue,
    reference: ir.NumericValue,
    threshold: float,
    text: ir.StringValue,
    month: dt.date | None = None,
) -> ir.StructValue:
    struct = ibis.struct(
        {
            "code": ibis.literal(code),
            "value": value.cast("float64"),
            "reference": reference.cast("float64"),
            "threshold": ibis.literal(float(threshold), type="float64"),
            "month": ibis.literal(month, type="date"),
            "text": text,
        }
    )
    return ibis.ifelse(fire.fill_null(False), struct, ibis.null(struct.type()))


def churn_warnings(
    summary: ir.Table,
    *,
    monthly: ir.Table | None = None,
    as_of: dt.date | None = None,
    current_month: dt.date | None = None,
    p_alive: ir.Table | None = None,
    config: ChurnRuleConfig | None = None,
    customer_col: str = "customer_id",
    only_warnings: bool = False,
) -> ir.Table:
    """Evaluate the churn rules for every customer of ``summary``.

    Args:
        summary: per-customer summary with ``first_purchase``, ``last_purchase``,
            ``n_purchases``, ``days_since_last`` and ``config.value_col``
            (:func:`guanxi.analytics.summary.customer_summary`).
        monthly: per-customer monthly spend (``<customer_col>, month, spend``;
            :func:`guanxi.analytics.summary.monthly_spend`) for ``SPEND_DROP``; skipped if
            None.
        as_of: the run's observation end (default: the summary's, its latest
            ``last_purchase + days_since_last``).
        current_month: the month ``SPEND_DROP`` judges (any date in it; default
            :func:`judged_month` of ``as_of``, the last complete month).
        p_alive: ``<customer_col>, <config.p_alive_col>`` for ``LOW_P_ALIVE``; skipped if None.
        config: thresholds (default :class:`ChurnRuleConfig`).
        only_warnings: return only customers with at least one rule fired.

    Returns:
        ``<customer_col>``, ``warning`` (bool), ``severity`` (rules fired, 0-3),
        ``severity_label`` (none/low/medium/high), ``reasons`` (array of struct ``code``,
        ``value``, ``reference``, ``threshold``, ``month``, ``text``), plus the rule inputs
        ``current_spend``, ``trailing_avg_spend``, ``mean_gap_days``, ``p_alive``.
    """
    cfg = config or ChurnRuleConfig()
    require_columns(
        summary,
        customer_col,
        "first_purchase",
        "last_purchase",
        "n_purchases",
        "days_since_last",
        cfg.value_col,
        what="summary",
    )
    s = summary
    gap = ibis.ifelse(
        s["n_purchases"] >= 2,
        s["last_purchase"].delta(s["first_purchase"], unit="day").cast("float64")
        / (s["n_purchases"] - 1).cast("float64"),
        ibis.null("float64"),
    )
    value = s[cfg.value_col].cast("float64")
    n = value.isnull().count().over()
    top = (ibis.rank().over(order_by=value.desc()) < n * cfg.top_value_fraction) & value.notnull()
    t = s.select(
        customer_col,
        _days=s["days_since_last"].cast("float64"),
        mean_gap_days=gap,
        _top=top,
    )

    judged: dt.date | None = None
    if monthly is not None:
        require_columns(monthly, customer_col, "month", "spend", what="monthly")
        if current_month is not None:
            judged = current_month.replace(day=1)
        else:
            judged = judged_month(as_of or _summary_as_of(summary))
        cur = ibis.literal(judged, type="date")
        month = monthly["month"].cast("date").truncate("M")
        m = monthly.select(customer_col, _month=month, _spend=monthly["spend"].cast("float64"))
        start = cur - ibis.interval(months=cfg.trailing_months)
        m = m.filter(m["_month"] >= start, m["_month"] <= cur)
        m_agg = m.group_by(customer_col).aggregate(
            current_spend=m["_spend"].sum(where=m["_month"] == cur),
            _trail=m["_spend"].sum(where=(m["_month"] >= start) & (m["_month"] < cur)),
        )
        t = t.left_join(m_agg, customer_col).select(
            *t.columns,
            current_spend=m_agg["current_spend"].fill_null(0.0),
            trailing_avg_spend=m_agg["_trail"] / float(cfg.trailing_months),
        )
    else:
        t = t.mutate(current_spend=ibis.null("float64"), trailing_avg_spend=ibis.null("float64"))

    if p_alive is not None:
        require_columns(p_alive, customer_col, cfg.p_alive_col, what="p_alive")
        pa = p_alive.select(customer_col, _p=p_alive[cfg.p_alive_col].cast("float64"))
        t = t.left_join(pa, customer_col).select(*t.columns, p_alive=pa["_p"])
    else:
        t = t.mutate(p_alive=ibis.null("float64"))

    frac = cfg.spend_drop_fraction
    months = cfg.trailing_months
    fire_a = (t.trailing_avg_spend > 0) & (t.current_spend < frac * t.trailing_avg_spend)
    period = period_fields(judged, months) if judged else {"month": "", "window": ""}
    text_a = (
        ibis.literal(f"Spend in {period['month']} (")
        .concat(_fmt(t.current_spend, 2))
        .concat(f") is below {frac:.0%} of the monthly average of {period['window']} (")
        .concat(_fmt(t.trailing_avg_spend, 2))
        .concat(")")
    )
    k = cfg.overdue_factor
    fire_b = t.mean_gap_days.notnull() & (t._days > k * t.mean_gap_days)
    text_b = (
        ibis.literal("No purchase for ")
        .concat(t._days.cast("int64").cast("string"))
        .concat(f" days, more than {k:g} times the usual gap of ")
        .concat(_fmt(t.mean_gap_days, 1))
        .concat(" days")
    )
    th = cfg.p_alive_threshold
    fire_c = t._top & (t.p_alive < th)
    text_c = (
        ibis.literal("Top-value customer whose probability of being active (")
        .concat(_fmt(t.p_alive, 2))
        .concat(f") is below {th:.2f}")
    )
    reasons = ibis.array(
        [
            _reason(
                fire_a, "SPEND_DROP", t.current_spend, t.trailing_avg_spend, frac, text_a, judged
            ),
            _reason(fire_b, "OVERDUE", t._days, t.mean_gap_days, k, text_b),
            _reason(fire_c, "LOW_P_ALIVE", t.p_alive, ibis.null("float64"), th, text_c),
        ]
    ).filter(lambda r: r.notnull())
    severity = (
        fire_a.fill_null(False).cast("int64")
        + fire_b.fill_null(False).cast("int64")
        + fire_c.fill_null(False).cast("int64")
    )
    out = t.select(
        customer_col,
        warning=severity > 0,
        severity=severity,
        severity_label=severity.cases(
            *((i, label) for i, label in enumerate(SEVERITY_LABELS)), else_="high"
        ),
        reasons=reasons,
        current_spend=t.current_spend,
        trailing_avg_spend=t.trailing_avg_spend,
        mean_gap_days=t.mean_gap_days,
        p_alive=t.p_alive,
    )
    return out.filter(out.warning) if only_warnings else out


def _summary_as_of(summary: ir.Table) -> dt.date:
    """The observation end the summary was computed for (one small query)."""
    end = summary["last_purchase"].cast("date") + summary["days_since_last"].as_interval("D")
    value = end.max().to_pyarrow().as_py()
    if value is None:
        raise ValueError("the summary has no purchase to tell its as-of date; pass as_of")
    return value.date() if isinstance(value, dt.datetime) else value
