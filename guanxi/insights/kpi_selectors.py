"""Reads of the KPI page: the viewer's KPI cells of the latest run, summed, then divided.

A run stores counts and sums per (period, branch, account manager)
(:mod:`guanxi.insights.kpi_cells`); the cells of the viewer's scope are added up in one
indexed query and every rate is computed from the sums, so a portfolio's retention is its
own customers' retention, never an average of rates.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.insights.models import AnalysisRun, KpiCell, PeriodKind
from guanxi.org.models import Branch
from guanxi.web.templatetags.guanxi_web import BRIEF_UNITS, CURRENCY

# How many periods the page shows of each kind (the last twelve months by default).
PERIODS_SHOWN = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 8, PeriodKind.YEAR: 5}
_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}
SUMS = (
    *("active_customers", "new_customers", "retained_customers", "revenue", "profit"),
    *("products_held", "cross_sold", "referred_customers"),
)


@dataclass(frozen=True)
class Kpi:
    """One figure of the page: its name, definition and how it is shown."""

    key: str
    label: Promise
    definition: Promise
    kind: str  # "rate" (a share), "number" or "money"


ACTIVE_DEFINITION = gettext_lazy(
    "A customer is active in a period when they bought at least once in it (days with "
    "returns only do not count)."
)
KPIS = (
    Kpi(
        "retention_rate",
        gettext_lazy("Retention rate"),
        gettext_lazy(
            "The share of the customers active in the period before who were active again "
            "in this period."
        ),
        "rate",
    ),
    Kpi(
        "churn_rate",
        gettext_lazy("Churn rate"),
        gettext_lazy(
            "1 − retention rate: the share of the customers active in the period before who "
            "were not active in this period."
        ),
        "rate",
    ),
    Kpi(
        "products_per_customer",
        gettext_lazy("Products per customer"),
        gettext_lazy(
            "The mean number of distinct products (open holdings) that the period's active "
            "customers held at its end."
        ),
        "number",
    ),
    Kpi(
        "cross_sell_rate",
        gettext_lazy("Cross-sell rate"),
        gettext_lazy(
            "The share of the period's active customers holding two or more distinct products."
        ),
        "rate",
    ),
    Kpi(
        "referral_rate",
        gettext_lazy("Referral rate"),
        gettext_lazy(
            "The share of the period's new customers (first purchase ever) who came to us by "
            "referral."
        ),
        "rate",
    ),
    Kpi(
        "revenue_per_customer",
        gettext_lazy("Revenue per customer"),
        gettext_lazy("The period's net revenue (returns deducted) per active customer."),
        "money",
    ),
    Kpi(
        "profit_per_customer",
        gettext_lazy("Profit per customer"),
        gettext_lazy(
            "The period's revenue times the gross margin, less the cost to serve, per active "
            "customer."
        ),
        "money",
    ),
)


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


def figures(now: dict[str, Any], before: dict[str, Any] | None) -> dict[str, float | None]:
    """Every KPI from the summed components of a period and of the period before."""
    active = now["active_customers"]
    retention = _ratio(now["retained_customers"], (before or {}).get("active_customers"))
    return {
        "active_customers": active,
        "new_customers": now["new_customers"],
        "retention_rate": retention,
        "churn_rate": None if retention is None else 1.0 - retention,
        "products_per_customer": _ratio(now["products_held"], active),
        "cross_sell_rate": _ratio(now["cross_sold"], active),
        "referral_rate": _ratio(now["referred_customers"], now["new_customers"]),
        "revenue_per_customer": _ratio(now["revenue"], active),
        "profit_per_customer": _ratio(now["profit"], active),
    }


def _shift(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_starts(kind: PeriodKind, as_of: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` periods up to the one holding ``as_of``, oldest first."""
    months = _MONTHS[kind]
    month0 = (as_of.month - 1) // months * months  # the period's first month, from 0
    last = dt.date(as_of.year, month0 + 1, 1)
    return [_shift(last, -months * i) for i in range(count - 1, -1, -1)]


def period_label(kind: str, start: dt.date) -> str:
    """A period's name in the active language: 2026-03, 2026 Q1 / 2026年第1季度, 2026."""
    if kind == PeriodKind.MONTH:
        return start.strftime("%Y-%m")
    if kind == PeriodKind.QUARTER:
        return _("%(year)s Q%(quarter)s") % {"year": start.year, "quarter": start.month // 3 + 1}
    return str(start.year)


def _zero() -> dict[str, Any]:
    return dict.fromkeys(SUMS, 0)


def _add(total: dict[str, Any], row: dict[str, Any]) -> None:
    for name in SUMS:
        if row[name] is not None:
            total[name] = (total[name] or 0) + row[name]


def kpi_list_for_user(
    *, viewer: policy.Viewer, period_kind: str = PeriodKind.MONTH, branch_id: int | None = None
) -> dict[str, Any]:
    """The KPIs of the viewer's customers per period of the latest run, with a breakdown by
    branch (of the newest period) for viewers who see every branch.

    ``branch_id`` narrows a company-wide viewer to one branch (others' scope is already
    theirs). Raises ``PermissionDenied`` for roles without the page.
    """
    policy.require(viewer, "kpi.view")
    kind = PeriodKind(period_kind)
    several = policy.sees_all_customers(viewer)
    run = AnalysisRun.objects.latest_finished()
    data: dict[str, Any] = {"run": run, "period_kind": kind, "kpis": KPIS, "several": several}
    data.update(
        active_definition=ACTIVE_DEFINITION,
        can_see_kpis=True,
        can_see_dashboard=policy.allows(viewer, "analytics.view"),
    )
    data.update(rows=[], breakdown=[], branch_id=branch_id if several else None)
    # the branches a company-wide viewer may narrow the page to, and the breakdown's names
    data["branches"] = (
        list(Branch.objects.order_by("name").values_list("pk", "name")) if several else []
    )
    if run is None or run.as_of is None:
        return data
    starts = period_starts(kind, run.as_of, PERIODS_SHOWN[kind] + 1)  # one before, for retention
    cells = KpiCell.objects.filter(
        run=run, period_kind=kind, period__gte=starts[0], period__lte=starts[-1]
    )
    cells = policy.scoped(viewer, cells, "kpi.view")
    if data["branch_id"] is not None:
        cells = cells.filter(branch_id=data["branch_id"])
    by_branch = several and data["branch_id"] is None
    keys = ("period", "branch_id") if by_branch else ("period",)
    summed = cells.values(*keys).annotate(**{n: Sum(n) for n in SUMS}).order_by(*keys)
    totals = {start: _zero() for start in starts}
    branches: dict[int, dict[dt.date, dict[str, Any]]] = {}
    for row in summed:
        _add(totals[row["period"]], row)
        if by_branch:
            branches.setdefault(row["branch_id"], {})[row["period"]] = row
    data["rows"] = [
        {"period": start, "label": period_label(kind, start), "sums": totals[start]}
        | figures(totals[start], totals[before])
        for before, start in zip(starts, starts[1:], strict=False)
    ]
    data["chart"] = chart_data(data["rows"])
    if by_branch:
        data["breakdown"] = _breakdown(branches, dict(data["branches"]), starts[-2], starts[-1])
    return data


def _breakdown(
    branches: dict[int, dict[dt.date, dict[str, Any]]],
    names: dict[int, str],
    before: dt.date,
    now: dt.date,
) -> list[dict[str, Any]]:
    """The newest period's KPIs per branch, by branch name."""
    rows = [
        {"branch_id": pk, "name": names.get(pk, str(pk))}
        | figures(periods.get(now) or _zero(), periods.get(before))
        for pk, periods in branches.items()
    ]
    return sorted(rows, key=lambda r: r["name"])


def chart_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The charts' series: periods on the x axis, one series per KPI, named in the active
    language, and the money units the axes abbreviate by (万/亿 in Chinese)."""
    return {
        "periods": [row["label"] for row in rows],
        "names": {kpi.key: str(kpi.label) for kpi in KPIS},
        "series": {kpi.key: [row[kpi.key] for row in rows] for kpi in KPIS},
        **money_units(),
    }


def money_units() -> dict[str, Any]:
    """The currency and the units chart axes abbreviate amounts by, in the active language
    (the ``money_brief`` filter's: 万 and 亿 in Chinese, K and M in English)."""
    language = "zh" if (get_language() or "").startswith("zh") else "en"
    units = [[float(size), unit] for size, unit in BRIEF_UNITS[language]]
    return {"currency": CURRENCY, "units": units}
