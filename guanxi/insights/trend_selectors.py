"""Trends across the kept analysis runs for the dashboard, from the runs' cells.

Each run stores counts per (branch, account manager, value tier, pyramid level), and the
company's per value tier and pyramid level (:class:`~guanxi.insights.models.RunCell`); the
viewer's cells of every kept run are summed in one query, instead of reading the score
history of every customer per page view.
"""

from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.customers.models import ValueTier
from guanxi.insights.charts import PYRAMID_ORDER
from guanxi.insights.models import RunCell, RunStatus
from guanxi.insights.selectors import level_label

SUMS = ("customers", "churn_warnings", "churn_calls", "score_sum", "scored")


def _ordered(found: set[str], order: tuple[str, ...]) -> list[str]:
    return [k for k in order if k in found] + sorted(found - set(order) - {""})


def run_trend_list_for_user(*, viewer: policy.Viewer) -> dict[str, Any] | None:
    """Per kept finished run, oldest first, the viewer's customers scored, churn warnings,
    call list, mean score, and customers per value tier and pyramid level; None without
    cells (runs from before the cells, or nothing in scope)."""
    policy.require(viewer, "kpi.view")
    finished = RunCell.objects.filter(run__status=RunStatus.FINISHED)
    if policy.action("kpi.view").reaches_everything(viewer):
        cells = finished.filter(branch__isnull=True)  # the company's rows
    else:
        cells = policy.scoped(viewer, finished.filter(branch__isnull=False), "kpi.view")
    keys = ("run__finished_at", "run_id", "value_tier", "pyramid_level")
    rows = list(cells.values(*keys).annotate(**{n: Sum(n) for n in SUMS}).order_by(*keys[:2]))
    if not rows:
        return None
    runs = list(dict.fromkeys((r["run__finished_at"], r["run_id"]) for r in rows))
    at = {run_id: i for i, (_when, run_id) in enumerate(runs)}
    totals = {n: [0.0] * len(runs) for n in SUMS}
    tiers: dict[str, list[int]] = {}
    levels: dict[str, list[int]] = {}
    for row in rows:
        i = at[row["run_id"]]
        for name in SUMS:
            totals[name][i] += row[name] or 0
        tiers.setdefault(row["value_tier"], [0] * len(runs))[i] += row["customers"]
        levels.setdefault(row["pyramid_level"], [0] * len(runs))[i] += row["customers"]
    tier_names = dict(ValueTier.choices)
    return {
        "dates": [when.isoformat() for when, _run in runs],
        "runs": [run_id for _when, run_id in runs],
        "counts": [
            {"name": _("Customers scored"), "data": [int(n) for n in totals["customers"]]},
            {"name": _("Churn warnings"), "data": [int(n) for n in totals["churn_warnings"]]},
            {"name": _("Call list"), "data": [int(n) for n in totals["churn_calls"]]},
        ],
        "mean_score": {
            "name": _("Mean score"),
            "data": [
                round(s / n, 2) if n else None
                for s, n in zip(totals["score_sum"], totals["scored"], strict=True)
            ],
        },
        "tiers": [
            {"name": str(tier_names.get(t, t)), "data": tiers[t]}
            for t in _ordered(set(tiers), tuple(ValueTier.values))
        ],
        "levels": [
            {"name": level_label(level), "data": levels[level]}
            for level in _ordered(set(levels), PYRAMID_ORDER)
        ],
    }
