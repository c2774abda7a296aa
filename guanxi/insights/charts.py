"""Chart series of the analytics dashboard, from per-customer columns.

One function serves both views: the company view is computed once when a run is written
(from the run's result) and stored on the run; a branch or portfolio view is computed from
that viewer's scored customers when the page is shown.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from guanxi.analytics.pyramid import LEVEL_NAMES
from guanxi.analytics.rfm import SEGMENT_NAMES

PYRAMID_ORDER = tuple(LEVEL_NAMES)  # A, B, C, D, inactive, potential, suspect
SEGMENT_ORDER = tuple(SEGMENT_NAMES)
LORENZ_POINTS = 50
CLV_BINS = 20
SCORES = range(1, 6)
CHART_COLUMNS: tuple[str, ...] = (
    *("pyramid_level", "rfm_segment", "r_score", "f_score", "total_revenue", "clv"),
    *("churn_warning", "churn_priority"),
)
TOP_SHARE = 0.2  # the "top 20%" whose share of revenue the dashboard shows


def _counts(values: np.ndarray, order: tuple[str, ...], weights: np.ndarray | None = None):
    """Count (or sum ``weights``) per value, in ``order`` then any value not in it.

    By hashing, not sorting: ``np.unique`` sorted a million texts per column (0.7 s).
    """
    codes, found = pd.factorize(values)  # None: code -1
    known = codes >= 0
    counts = np.bincount(codes[known], minlength=len(found))
    sums = None if weights is None else np.bincount(codes[known], weights[known], len(found))
    at = {str(v): i for i, v in enumerate(found) if v}
    keys = [k for k in order if k in at] + sorted(set(at) - set(order))
    if sums is None:
        return [[k, int(counts[at[k]])] for k in keys]
    # to the cent: sums in another order differ in the last bits, not in what is shown
    return [[k, int(counts[at[k]]), round(float(sums[at[k]]), 2)] for k in keys]


def _lorenz(revenue: np.ndarray) -> list[list[float]]:
    """(customer share, revenue share) points, customers sorted from the least valuable."""
    revenue = np.sort(np.clip(revenue[np.isfinite(revenue)], 0, None))
    if revenue.size == 0 or revenue.sum() == 0:
        return []
    cumulative = np.concatenate([[0.0], np.cumsum(revenue)]) / revenue.sum()
    at = np.linspace(0, revenue.size, LORENZ_POINTS + 1).round().astype(int)
    points = np.column_stack([at / revenue.size, cumulative[at]]).round(4)
    return points.tolist()


def _clv_histogram(clv: np.ndarray) -> dict:
    """Customers per CLV bin; the last bin holds everything from the 99th percentile up."""
    clv = clv[np.isfinite(clv)]
    if clv.size == 0:
        return {"edges": [], "counts": []}
    top = float(np.quantile(clv, 0.99)) or float(clv.max()) or 1.0
    edges = np.linspace(min(float(clv.min()), 0.0), top, CLV_BINS + 1)
    counts = np.histogram(np.clip(clv, edges[0], edges[-1]), bins=edges)[0]
    return {"edges": [round(float(e), 2) for e in edges], "counts": counts.tolist()}


def _concentration(revenue: np.ndarray) -> dict:
    """The Gini coefficient of revenue (0: all equal, 1: one customer has it all) and the
    share of it that the top ``TOP_SHARE`` of customers bring."""
    revenue = np.sort(np.clip(revenue[np.isfinite(revenue)], 0, None))
    total = float(revenue.sum())
    if revenue.size == 0 or total == 0:
        return {"gini": None, "top_share": None}
    n = revenue.size
    gini = float(2 * np.sum(np.arange(1, n + 1) * revenue) / (n * total) - (n + 1) / n)
    top = revenue[n - max(1, int(np.ceil(TOP_SHARE * n))) :]
    return {"gini": round(gini, 4), "top_share": round(float(top.sum()) / total, 4)}


def _heatmap(r: np.ndarray, f: np.ndarray) -> list[list[int]]:
    """[R, F, customers] for every cell of the 5 x 5 grid."""
    scored = np.isin(r, SCORES) & np.isin(f, SCORES)
    cells = np.bincount((r[scored] * 10 + f[scored]).astype(int), minlength=56)
    return [[i, j, int(cells[i * 10 + j])] for i in SCORES for j in SCORES]


def _flagged(values: Sequence[Any] | np.ndarray) -> int:
    """How many of a flag column are true (None and NaN are not)."""
    flags = np.asarray(values, dtype=float)
    return int(np.sum(flags[np.isfinite(flags)] > 0))


def build_charts(columns: Mapping[str, Sequence[Any] | np.ndarray]) -> dict:
    """Every chart series from per-customer arrays.

    ``columns`` holds the :data:`CHART_COLUMNS`: levels and segments as text ("" for
    none), the rest numbers (None or NaN for none).
    """
    level = np.asarray(columns["pyramid_level"], dtype=object)
    segment = np.asarray(columns["rfm_segment"], dtype=object)
    revenue = np.asarray(columns["total_revenue"], dtype=float)  # None becomes NaN
    return {
        "customers": int(level.size),
        "churn_warnings": _flagged(columns["churn_warning"]),
        "churn_calls": _flagged(columns["churn_priority"]),
        **_concentration(revenue),
        "pyramid": _counts(level, PYRAMID_ORDER),
        "segments": _counts(segment, SEGMENT_ORDER, np.nan_to_num(revenue)),
        "heatmap": _heatmap(
            np.asarray(columns["r_score"], dtype=float), np.asarray(columns["f_score"], dtype=float)
        ),
        "lorenz": _lorenz(revenue),
        "clv_histogram": _clv_histogram(np.asarray(columns["clv"], dtype=float)),
    }
