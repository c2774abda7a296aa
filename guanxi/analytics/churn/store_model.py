"""The churn model trained by time on store features, validated honestly, then applied today.

Label: a customer with a purchase on or before a feature day *churned* when they made no
purchase in the ``H`` months after it. With ``as_of`` the run's day and ``H`` the horizon:

* validation: a model fitted on the features of ``as_of - 2H`` labelled by
  ``(as_of - 2H, as_of - H]`` scores the features of ``as_of - H``, which are labelled by
  ``(as_of - H, as_of]``: ROC AUC, PR AUC and top-decile lift on customers and months the
  model never saw, exactly as the model will be used (trained on the past, judged later);
* the model used: fitted on the features of ``as_of - H`` labelled by the last ``H`` months
  (the newest complete labels), it scores the features of ``as_of``.

Every frame reads transactions up to its label window's end and no further
(:func:`labelled_frame`). Training frames are sampled down to ``max_train_rows`` customers
and the model is small (few features, few shallow trees): the nightly run has a time budget.
Reasons (:meth:`~guanxi.analytics.churn.ChurnModel.reasons`) are kept as codes -- the
feature, its value and its contribution -- for the page to render in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np
import pandas as pd
import pyarrow as pa

from guanxi.analytics.churn.features import churn_labels
from guanxi.analytics.churn.store_features import (
    LogColumns,
    StoreTables,
    months_before,
    store_features,
)

if TYPE_CHECKING:
    from guanxi.analytics.churn.model import ChurnModel

__all__ = [
    "REASON_TYPE",
    "ChurnModelConfig",
    "choose_horizon",
    "labelled_frame",
    "score_with_reasons",
    "train_by_time",
]

REASON_TYPE = pa.list_(
    pa.struct([("code", pa.string()), ("value", pa.string()), ("contribution", pa.float64())])
)
"""Arrow type of a customer's reasons: feature code, its value as text, its contribution."""


@dataclass(frozen=True)
class ChurnModelConfig:
    """Settings of the churn model step of the nightly analysis.

    Attributes:
        enabled: run the step at all.
        horizon_months: ``H``, the months without a purchase that count as churn; None =
            6 when the history covers ``3 x 6`` months, else 3 (with at least ``3 x 3``).
        auc_floor: the validation ROC AUC above which the model's probability replaces
            1 - P(alive) in value at risk.
        max_train_rows: customers sampled for each fit.
        max_iter, max_leaf_nodes, learning_rate: size of the boosted trees.
        reasons: reasons kept per customer.
        reason_features: the most important features reasons are drawn from.
        reason_share, max_reason_rows: reasons are computed for this share (at most this
            many) of the customers with the highest churn probability -- those the call list
            is drawn from; each costs some sixty model evaluations, the others get none.
        batch_rows: customers scored per batch (bounds memory).
        balance_kinds: product kinds whose open balances are features. None by default:
            the store keeps only today's balance, so a past day's "balance" is today's (0
            for accounts closed since), which teaches the model a relation that does not
            hold later -- on the 100k-customer demo the validation ROC AUC was 0.93 without
            balances and 0.88 with them.
        random_state: seed of the sample and the trees.
    """

    enabled: bool = True
    horizon_months: int | None = None
    auc_floor: float = 0.65
    max_train_rows: int = 100_000
    max_iter: int = 50
    max_leaf_nodes: int = 8
    learning_rate: float = 0.2
    reasons: int = 3
    reason_features: int = 5
    reason_share: float = 0.1
    max_reason_rows: int = 25_000
    batch_rows: int = 200_000
    balance_kinds: tuple[str, ...] = ()
    random_state: int = 0

    def __post_init__(self) -> None:
        if self.horizon_months is not None and self.horizon_months < 1:
            raise ValueError("churn_model.horizon_months must be >= 1 (or None)")
        if not 0 < self.auc_floor < 1:
            raise ValueError("churn_model.auc_floor must be in (0, 1)")
        if self.max_train_rows < 100:
            raise ValueError("churn_model.max_train_rows must be >= 100")
        if not 0 <= self.reason_share <= 1:
            raise ValueError("churn_model.reason_share must be in [0, 1]")


def choose_horizon(first_day: dt.date, as_of: dt.date, cfg: ChurnModelConfig) -> int | None:
    """``H`` for a history from ``first_day`` to ``as_of``, or None when it is too short.

    The first training frame's features need ``H`` months of history before ``as_of - 2H``.
    """
    candidates = (cfg.horizon_months,) if cfg.horizon_months else (6, 3)
    for months in candidates:
        if months_before(as_of, 3 * months) >= first_day:
            return months
    return None


def labelled_frame(
    tx: Any,
    day: dt.date,
    end: dt.date,
    tables: StoreTables | None,
    balance_kinds: tuple[str, ...] = (),
    **columns: Unpack[LogColumns],
) -> Any:
    """Features on ``day`` with ``churned`` = no purchase in ``(day, end]`` (an Ibis table).

    Transactions after ``end`` are filtered out before anything else, so neither the
    features nor the label can see them. ``columns``: ``customer_col``, ``date_col``,
    ``amount_col`` of ``tx``; ``balance_kinds`` as in :func:`store_features`.
    """
    date_col, amount_col = columns["date_col"], columns["amount_col"]
    known = tx.filter(tx[date_col] <= end)
    features = store_features(known, day, tables, balance_kinds=balance_kinds, **columns)
    labels = churn_labels(
        known,
        day,
        (end - day).days,
        customer_col=columns["customer_col"],
        date_col=date_col,
        amount_col=amount_col,
    ).rename(customer_id=columns["customer_col"])
    return features.join(labels, "customer_id")


def _sample(frame: pd.DataFrame, cfg: ChurnModelConfig) -> pd.DataFrame:
    if len(frame) <= cfg.max_train_rows:
        return frame
    return frame.sample(n=cfg.max_train_rows, random_state=cfg.random_state)


def _model(cfg: ChurnModelConfig) -> ChurnModel:
    # scikit-learn is imported by the first fit, not with the module (see the package's
    # __getattr__): the run's settings and features need none of it
    from guanxi.analytics.churn.model import ChurnModel

    return ChurnModel(
        id_col="customer_id",
        validation_fraction=None,  # validated by time here, not by a holdout of one frame
        learning_rate=cfg.learning_rate,
        max_iter=cfg.max_iter,
        max_leaf_nodes=cfg.max_leaf_nodes,
        max_reason_features=cfg.reason_features,
        random_state=cfg.random_state,
    )


def train_by_time(
    earlier: pd.DataFrame, later: pd.DataFrame, cfg: ChurnModelConfig
) -> tuple[ChurnModel, dict[str, Any]]:
    """Validate (fit on ``earlier``, judge on ``later``), then fit the model used on ``later``.

    Both frames hold ``customer_id``, the features and ``churned``. Returns the fitted model
    and the validation metrics (``roc_auc``, ``pr_auc``, ``top_decile_lift``, ``base_rate``,
    ``n_train``, ``n_valid``). Raises ``ValueError`` when a frame has one class only.
    """
    from guanxi.analytics.churn.validation import ranking_metrics

    fit_rows, judged = _sample(earlier, cfg), later
    inner = _model(cfg).fit(fit_rows.drop(columns="churned"), fit_rows["churned"])
    p = inner.predict_proba(judged.drop(columns="churned"))[:, 1]
    metrics: dict[str, Any] = ranking_metrics(judged["churned"].to_numpy(), p)
    metrics.update(n_train=len(fit_rows), n_valid=len(judged))
    final_rows = _sample(later, cfg)
    model = _model(cfg).fit(final_rows.drop(columns="churned"), final_rows["churned"])
    return model, metrics


def score_with_reasons(
    model: ChurnModel, features: pd.DataFrame, cfg: ChurnModelConfig
) -> pa.Table:
    """``customer_id``, ``model_probability`` and ``model_reasons`` (:data:`REASON_TYPE`;
    null outside the ``reason_share`` riskiest customers) for every row of ``features``."""
    ids = features["customer_id"].to_numpy()
    p = np.concatenate(
        [
            model.predict_proba(features.iloc[start : start + cfg.batch_rows])[:, 1]
            for start in range(0, len(features), cfg.batch_rows)
        ]
        or [np.empty(0)]
    )
    n_explained = min(math.ceil(cfg.reason_share * len(p)), cfg.max_reason_rows)
    n_explained = n_explained if cfg.reasons else 0
    explained = np.sort(np.argsort(-p, kind="stable")[:n_explained])
    reasons: list[list[dict[str, Any]] | None] = [None] * len(p)
    for start in range(0, len(explained), cfg.batch_rows):
        rows = explained[start : start + cfg.batch_rows]
        table = model.reasons(features.iloc[rows], k=cfg.reasons)
        k = sum(1 for c in table.columns if c.endswith("_feature"))
        parts = [
            (
                table[f"reason_{i}_feature"].to_numpy(),
                table[f"reason_{i}_value"].to_numpy(),
                table[f"reason_{i}_contribution"].to_numpy(),
            )
            for i in range(1, k + 1)
        ]
        for n, row in enumerate(rows.tolist()):
            # Only what raises the risk is a reason to call.
            reasons[row] = [
                {"code": f[n], "value": v[n], "contribution": round(float(c[n]), 4)}
                for f, v, c in parts
                if c[n] > 0
            ]
    return pa.table(
        {
            "customer_id": pa.array(ids),
            "model_probability": pa.array(p, pa.float64()),
            "model_reasons": pa.array(reasons, REASON_TYPE),
        }
    )
