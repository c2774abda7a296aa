"""Out-of-sample quality of a churn model: the report, the ranking metrics, and the time split
that trains on earlier periods and validates on later ones."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from guanxi.analytics.churn.schema import as_numeric


@dataclass(frozen=True)
class ValidationReport:
    """Out-of-sample quality of a churn model.

    Attributes:
        method: ``"time_split"`` or ``"stratified_holdout"``.
        roc_auc: area under the ROC curve on the validation rows.
        pr_auc: average precision (area under the precision-recall curve).
        top_decile_lift: churn rate among the 10 % highest scores over the overall rate.
        base_rate: churn rate of the validation rows.
        n_train: rows the validation model was trained on.
        n_valid: validation rows.
        cutoff: for a time split, the last training time value (as text), else None.
    """

    method: str
    roc_auc: float
    pr_auc: float
    top_decile_lift: float
    base_rate: float
    n_train: int
    n_valid: int
    cutoff: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready dict."""
        return asdict(self)


def ranking_metrics(y_true: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """ROC AUC, PR AUC (average precision), top-decile lift and base rate of ``scores``.

    The top decile is the ``ceil(10 %)`` highest scores (ties broken by position).
    """
    y_true = np.asarray(y_true, dtype=float)
    scores = np.asarray(scores, dtype=float)
    if len(np.unique(y_true)) != 2:
        raise ValueError("validation rows contain only one class; metrics are undefined")
    base_rate = float(y_true.mean())
    top = np.argsort(-scores, kind="stable")[: math.ceil(0.1 * len(scores))]
    return {
        "roc_auc": float(roc_auc_score(y_true, scores)),
        "pr_auc": float(average_precision_score(y_true, scores)),
        "top_decile_lift": float(y_true[top].mean() / base_rate),
        "base_rate": base_rate,
    }


def _time_order(values: pd.Series, column: str) -> pd.Series:
    """Sortable version of a time/cohort column: numbers, else dates, else the text itself."""
    if values.isna().any() or (values.astype("string").str.strip() == "").any():
        raise ValueError(f"time column {column!r} has missing values")
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    numbers, share = as_numeric(values)
    if share == 1.0:
        return numbers
    dates = pd.to_datetime(values, errors="coerce", format="mixed")
    return dates if dates.notna().all() else values.astype("string")


def time_split(
    times: pd.Series, fraction: float, column: str
) -> tuple[np.ndarray, np.ndarray, str]:
    """Row positions of the earlier (train) and later (validation) periods, and the cutoff.

    Whole periods stay together; the cutoff is the period boundary leaving the validation
    share closest to ``fraction``, with at least one period on each side.
    """
    order = _time_order(times, column).reset_index(drop=True)
    periods = order.value_counts().sort_index()
    if len(periods) < 2:
        raise ValueError(f"time column {column!r} has a single value; cannot split by time")
    train_share = periods.cumsum().to_numpy()[:-1] / len(order)
    cut = int(np.argmin(np.abs(train_share - (1.0 - fraction))))
    cutoff = periods.index[cut]
    is_train = (order <= cutoff).to_numpy()
    # Report the cutoff as written in the input ("2023-05"), not as parsed (a timestamp).
    shown = times.iloc[int(np.flatnonzero((order == cutoff).to_numpy())[0])]
    return np.flatnonzero(is_train), np.flatnonzero(~is_train), str(shown)
