"""The dashboard's charts of each branch and each account manager, made by the run.

A run computes, beside the company's charts, those of every branch's and every account
manager's customers as its snapshot has them, with each one's pyramid migration since the
run before (:class:`~guanxi.insights.models.ScopeCharts`). A viewer whose record scope is
exactly one branch or their own portfolio (``policy.scope_unit``) reads that one row;
a team lead's charts are still computed from their customers' scores when shown.
"""

from collections import Counter
from collections.abc import Iterator, Mapping

import numpy as np

from guanxi import policy
from guanxi.insights.charts import build_charts
from guanxi.insights.migration import migration_of
from guanxi.insights.models import AnalysisRun, ScopeCharts
from guanxi.insights.results import Moves

# A run's count of these rows (``AnalysisRun.counts``): runs from before them have none.
COUNT = "scope_charts"
UNITS = ("branch", "owner")


def _groups(keys: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(key, row positions) for each key but 0 (none)."""
    order = np.argsort(keys, kind="stable")
    found, starts = np.unique(keys[order], return_index=True)
    for key, start, end in zip(found, starts, [*starts[1:], keys.size], strict=True):
        if key:
            yield int(key), order[start:end]


def company_moves(moves: Moves) -> dict[tuple[str, str], int]:
    """The whole company's (level before, level now) counts."""
    total: Counter[tuple[str, str]] = Counter()
    for (_branch, _owner, was, now), n in moves.items():
        total[was, now] += n
    return dict(total)


def scope_chart_rows(
    *,
    run: AnalysisRun,
    columns: Mapping[str, np.ndarray],
    keys: Mapping[str, np.ndarray],
    moves: Moves | None,
    previous: AnalysisRun | None,
) -> list[ScopeCharts]:
    """One row per branch and per account manager of the run's customers.

    ``columns`` are the chart inputs per score row, ``keys`` each row's ``branch_id`` and
    ``owner_id`` (0 for none), ``moves`` the run's pyramid moves by branch and owner (None
    without a run before, ``previous``).
    """
    rows = []
    for unit in UNITS:
        moved: dict[int, Counter[tuple[str, str]]] = {}
        for (branch, owner, was, now), n in (moves or {}).items():
            moved.setdefault(branch if unit == "branch" else owner, Counter())[was, now] += n
        for key, at in _groups(keys[f"{unit}_id"]):
            charts = build_charts({name: values[at] for name, values in columns.items()})
            charts["pyramid_migration"] = (
                migration_of(dict(moved.get(key, {})), previous) if previous else None
            )
            rows.append(ScopeCharts(run=run, charts=charts, **{f"{unit}_id": key}))
    return rows


def stored_charts(viewer: policy.Viewer, run: AnalysisRun) -> dict | None:
    """The charts the run kept for the viewer's branch or portfolio; None when it kept none
    for them (a team or several scopes, a run from before these rows, or none of the
    viewer's customers in the run)."""
    unit = policy.scope_unit(viewer)
    if unit is None or not run.counts.get(COUNT):
        return None
    name, key = unit
    found = ScopeCharts.objects.filter(run=run, **{f"{name}_id": key}).values_list("charts")
    return next((charts for (charts,) in found), None)
