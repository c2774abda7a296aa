"""Reasons of a churn score: each feature's contribution to a customer's churn probability,
against the feature's training distribution (see :mod:`guanxi.analytics.churn`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from guanxi.analytics.churn.schema import ColumnSpec

# Values of a feature that contributions average over: the most frequent categories, or
# evenly spaced quantiles of a number.
_BACKGROUND_CATEGORIES = 20
_BACKGROUND_QUANTILES = 10
_PREDICT_ROWS = 500_000  # rows per predict_proba call when computing contributions


def feature_contributions(
    estimator: Any,
    background: Sequence[tuple[np.ndarray, np.ndarray]],
    Z: np.ndarray,
    features: np.ndarray,
) -> np.ndarray:
    """``p(x) - E_v[p(x with feature j = v)]`` for each row and each feature in ``features``.

    All (feature, value) substitutions of a block of rows go through one
    ``predict_proba`` call: the per-call overhead (thread start-up) dominates small calls.
    """
    subs = [
        (i, j, v, w) for i, j in enumerate(features) for v, w in zip(*background[j], strict=True)
    ]
    weights = np.zeros((len(features), len(subs)))
    for s, (i, _, _, w) in enumerate(subs):
        weights[i, s] = w
    block = max(1, _PREDICT_ROWS // len(subs))
    out = np.empty((len(Z), len(features)))
    for start in range(0, len(Z), block):
        rows = Z[start : start + block]
        stacked = np.repeat(rows[None, :, :], len(subs), axis=0)
        for s, (_, j, value, _) in enumerate(subs):
            stacked[s, :, j] = value
        p = estimator.predict_proba(stacked.reshape(-1, Z.shape[1]))[:, 1]
        expected = weights @ p.reshape(len(subs), len(rows))
        base = estimator.predict_proba(rows)[:, 1]
        out[start : start + len(rows)] = base[:, None] - expected.T
    return out


def background_values(codes: np.ndarray, spec: ColumnSpec) -> tuple[np.ndarray, np.ndarray]:
    """Values (and weights summing to 1) that represent a feature's training distribution.

    Categories: the most frequent labels with their frequencies. Numbers: evenly spaced
    quantiles. Missing values keep their share, so a feature that is often missing is
    compared against "often missing".
    """
    present = codes[~np.isnan(codes)]
    missing_share = 1.0 - len(present) / len(codes)
    if spec.kind == "categorical":
        labels, counts = np.unique(present, return_counts=True)
        keep = np.argsort(-counts, kind="stable")[:_BACKGROUND_CATEGORIES]
        values, weights = labels[keep], counts[keep].astype(float)
    else:
        levels = (np.arange(_BACKGROUND_QUANTILES) + 0.5) / _BACKGROUND_QUANTILES
        values, counts = np.unique(np.quantile(present, levels), return_counts=True)
        weights = counts.astype(float)
    weights = weights / weights.sum() * (1.0 - missing_share)
    if missing_share > 0:
        values, weights = np.append(values, np.nan), np.append(weights, missing_share)
    return values, weights


def reason_text(feature: str, value: str, contribution: float) -> str:
    """One reason as English text: ``"contract = Month-to-month raises risk by 0.18"``."""
    direction = "raises" if contribution >= 0 else "lowers"
    return f"{feature} = {value} {direction} risk by {abs(contribution):.2f}"


def display_value(spec: ColumnSpec, code: float) -> str:
    """A feature's model code as the value a person reads (category label or number)."""
    if np.isnan(code):
        return "missing"
    if spec.kind == "categorical":
        return spec.categories[int(code)]
    return str(int(code)) if code == round(code) else f"{code:g}"
