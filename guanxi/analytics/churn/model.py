"""The churn estimator (:class:`ChurnModel`) and its model files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

from guanxi.analytics.churn.explain import (
    background_values,
    display_value,
    feature_contributions,
    reason_text,
)
from guanxi.analytics.churn.schema import encode, encode_target, infer_schema, resolve_column
from guanxi.analytics.churn.validation import ValidationReport, ranking_metrics, time_split

MODEL_FORMAT = "guanxi.churn_model"
"""Marker stored in every saved model file (checked by :func:`load_model`)."""
_FORMAT_VERSION = 1

_IMPORTANCE_SAMPLE = 500  # training rows used to rank features by mean |contribution|


class ChurnModel(ClassifierMixin, BaseEstimator):
    """Gradient-boosted churn classifier for any customer table (see :mod:`guanxi.analytics.churn`).

    Parameters:
        id_col: customer id column, never a feature (kept for the caller's bookkeeping).
        time_col: time or cohort column (dates, numbers or sortable text such as
            ``"2024-03"``); when given, validation trains on the earlier periods and
            validates on the later ones. Never a feature.
        exclude: further columns to leave out.
        positive_label: the target value meaning "churned", when it is not one of the
            recognised spellings (Yes, True, 1, ...).
        validation_fraction: share of rows (of periods, for a time split) held out for
            ``validation_``; ``None`` skips validation.
        learning_rate, max_iter, max_leaf_nodes, l2_regularization: passed to
            :class:`~sklearn.ensemble.HistGradientBoostingClassifier`. The defaults (many
            small trees) were the best of a small grid on the Telco data.
        min_samples_leaf: minimum rows per leaf; ``None`` = ``n_rows // 80`` clipped to
            5..50, so that small files still grow trees and large ones do not overfit.
        max_categories: labels kept per categorical column (at most 255).
        id_unique_ratio: see :func:`infer_schema`.
        max_reason_features: reasons are computed for this many of the most important
            features (bounds the cost of :meth:`reasons` on wide tables).
        random_state: seed of the holdout split and the trees.

    Fitted attributes:
        classes_: ``(negative_label, positive_label)`` as found in ``y``.
        schema_: tuple of :class:`ColumnSpec` (the columns :meth:`predict_proba` needs).
        feature_names_: names of the feature columns, in model order.
        excluded_: left-out column -> reason.
        estimator_: the fitted HistGradientBoostingClassifier.
        background_: per feature, the (values, weights) its contributions average over.
        feature_importances_: mean absolute contribution of each feature (training sample).
        validation_: :class:`ValidationReport` or None.
        n_train_rows_: rows of the final fit.
    """

    def __init__(
        self,
        *,
        id_col: str | None = None,
        time_col: str | None = None,
        exclude: Sequence[str] = (),
        positive_label: Any = None,
        validation_fraction: float | None = 0.2,
        learning_rate: float = 0.05,
        max_iter: int = 150,
        max_leaf_nodes: int = 6,
        min_samples_leaf: int | None = None,
        l2_regularization: float = 1.0,
        max_categories: int = 50,
        id_unique_ratio: float = 0.5,
        max_reason_features: int = 20,
        random_state: int = 0,
    ) -> None:
        self.id_col = id_col
        self.time_col = time_col
        self.exclude = exclude
        self.positive_label = positive_label
        self.validation_fraction = validation_fraction
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_categories = max_categories
        self.id_unique_ratio = id_unique_ratio
        self.max_reason_features = max_reason_features
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting

    def fit(self, X: pd.DataFrame, y: Any) -> ChurnModel:
        """Validate (unless ``validation_fraction`` is None), then fit on all rows.

        Raises ``ValueError`` for a bad target, a missing id/time column or no usable
        feature.
        """
        X = self._check_frame(X)
        y01, classes = encode_target(y, self.positive_label)
        if len(y01) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y01)}")
        self._check_params()
        self.validation_ = self._validate(X, y01) if self.validation_fraction else None
        self.classes_ = np.array(classes, dtype=object)
        self._fit_all(X, y01)
        return self

    def _check_params(self) -> None:
        if not 1 < self.max_categories <= 255:
            raise ValueError("max_categories must be between 2 and 255")
        if self.validation_fraction is not None and not 0 < self.validation_fraction < 1:
            raise ValueError("validation_fraction must be between 0 and 1, or None")

    def _check_frame(self, X: Any) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise TypeError("X must be a pandas DataFrame with named columns")
        if X.empty:
            raise ValueError("X has no rows")
        for col in (self.id_col, self.time_col):
            if col is not None:
                resolve_column(X.columns, col)
        return X

    def _excluded_columns(self, X: pd.DataFrame) -> list[str]:
        named = [c for c in (self.id_col, self.time_col) if c is not None]
        return [resolve_column(X.columns, c) for c in (*named, *self.exclude)]

    def _validate(self, X: pd.DataFrame, y01: np.ndarray) -> ValidationReport:
        fraction = float(self.validation_fraction or 0.0)
        cutoff = None
        if self.time_col is not None:
            times = X[resolve_column(X.columns, self.time_col)]
            train, valid, cutoff = time_split(times, fraction, self.time_col)
            method = "time_split"
        else:
            if np.bincount(y01, minlength=2).min() < 2:
                raise ValueError("each target class needs at least 2 rows for a holdout")
            train, valid = train_test_split(
                np.arange(len(X)),
                test_size=fraction,
                stratify=y01,
                random_state=self.random_state,
            )
            method = "stratified_holdout"
        if len(np.unique(y01[train])) < 2:
            raise ValueError("the training part of the validation split has one class only")
        # Only the probabilities of the inner model are needed: skip computing its reasons.
        inner = clone(self)
        inner._fit_all(X.iloc[train], y01[train], explain=False)
        metrics = ranking_metrics(y01[valid], inner.predict_proba(X.iloc[valid])[:, 1])
        return ValidationReport(
            method=method, n_train=len(train), n_valid=len(valid), cutoff=cutoff, **metrics
        )

    def _fit_all(self, X: pd.DataFrame, y01: np.ndarray, *, explain: bool = True) -> None:
        self.schema_, self.excluded_ = infer_schema(
            X,
            exclude=self._excluded_columns(X),
            max_categories=self.max_categories,
            id_unique_ratio=self.id_unique_ratio,
        )
        self.feature_names_ = [spec.name for spec in self.schema_]
        Z = encode(X, self.schema_)
        self.estimator_ = HistGradientBoostingClassifier(
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self._leaf_size(len(X)),
            l2_regularization=self.l2_regularization,
            categorical_features=np.array([s.kind == "categorical" for s in self.schema_]),
            early_stopping=False,  # the iteration count is a tuned parameter, not a guess
            random_state=self.random_state,
        ).fit(Z, y01)
        self.n_train_rows_ = len(X)
        if explain:
            self.background_ = [background_values(Z[:, j], s) for j, s in enumerate(self.schema_)]
            self.feature_importances_ = self._importances(Z)

    def _leaf_size(self, n_rows: int) -> int:
        if self.min_samples_leaf is not None:
            return self.min_samples_leaf
        return int(np.clip(n_rows // 80, 5, 50))

    def _importances(self, Z: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(self.random_state)
        sample = rng.choice(len(Z), size=min(len(Z), _IMPORTANCE_SAMPLE), replace=False)
        all_features = np.arange(Z.shape[1])
        return np.abs(
            feature_contributions(self.estimator_, self.background_, Z[sample], all_features)
        ).mean(axis=0)

    # ------------------------------------------------------------------ prediction

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order (churn probability = ``[:, 1]``).

        Raises ``ValueError`` naming any model column missing from ``X``; extra columns are
        ignored.
        """
        matrix = self._matrix(X)  # checks fitted first: a clear NotFittedError
        return self.estimator_.predict_proba(matrix)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The more likely class label of each row (from ``classes_``)."""
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        if not isinstance(X, pd.DataFrame):
            raise TypeError("X must be a pandas DataFrame with named columns")
        return encode(self._aligned(X), self.schema_)

    def _aligned(self, X: pd.DataFrame) -> pd.DataFrame:
        """``X`` with the model's columns under their training names (error names the missing)."""
        found, missing = {}, []
        for spec in self.schema_:
            try:
                found[spec.name] = X[resolve_column(X.columns, spec.name)]
            except ValueError:
                missing.append(spec.name)
        if missing:
            raise ValueError(
                f"input is missing column(s) the model needs: {', '.join(map(repr, missing))}"
            )
        return pd.DataFrame(found, index=X.index)

    # ------------------------------------------------------------------ reasons

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Per-row contribution of each explained feature to the churn probability.

        Columns: the ``max_reason_features`` most important features; positive values
        raise the risk. See :mod:`guanxi.analytics.churn` for the definition.
        """
        Z = self._matrix(X)
        features = self._reason_features()
        values = feature_contributions(self.estimator_, self.background_, Z, features)
        return pd.DataFrame(
            values, index=X.index, columns=[self.feature_names_[j] for j in features]
        )

    def reasons(self, X: pd.DataFrame, k: int = 3) -> pd.DataFrame:
        """The ``k`` strongest risk-raising contributions of each row, as data and as text.

        Columns for ``i = 1..k``: ``reason_i`` (e.g. ``"contract = Month-to-month raises
        risk by 0.18"``), ``reason_i_feature``, ``reason_i_value``,
        ``reason_i_contribution``. Reasons are ordered by contribution, largest first; a
        low-risk customer's list can contain risk-lowering ones (negative contributions).
        """
        Z = self._matrix(X)
        features = self._reason_features()
        values = feature_contributions(self.estimator_, self.background_, Z, features)
        k = min(k, len(features))
        top = np.argsort(-values, axis=1, kind="stable")[:, :k]
        rows = np.arange(len(Z))[:, None]
        out: dict[str, Any] = {}
        for i in range(k):
            feature_idx = features[top[:, i]]
            contribution = values[rows[:, 0], top[:, i]]
            shown = [display_value(self.schema_[j], Z[r, j]) for r, j in enumerate(feature_idx)]
            names = [self.feature_names_[j] for j in feature_idx]
            out[f"reason_{i + 1}"] = [
                reason_text(n, v, c) for n, v, c in zip(names, shown, contribution, strict=True)
            ]
            out[f"reason_{i + 1}_feature"] = names
            out[f"reason_{i + 1}_value"] = shown
            out[f"reason_{i + 1}_contribution"] = contribution
        return pd.DataFrame(out, index=X.index)

    def _reason_features(self) -> np.ndarray:
        order = np.argsort(-self.feature_importances_, kind="stable")
        return np.sort(order[: self.max_reason_features])

    # ------------------------------------------------------------------ persistence

    def save(self, path: str | Path) -> None:
        """Write the fitted model (with its column schema) to one file."""
        check_is_fitted(self, "estimator_")
        payload = {
            "format": MODEL_FORMAT,
            "format_version": _FORMAT_VERSION,
            "sklearn_version": sklearn.__version__,
            "model": self,
        }
        joblib.dump(payload, Path(path), compress=3)


def load_model(path: str | Path) -> ChurnModel:
    """Read a model written by :meth:`ChurnModel.save`.

    Raises ``ValueError`` when the file is missing or is not a Guanxi churn model. Only
    load files you trust: the format is a pickle.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no such model file: {path}")
    try:
        payload = joblib.load(path)
    except Exception:  # unpickling arbitrary bytes can raise nearly any exception type
        raise ValueError(f"{path} is not a Guanxi churn model file") from None
    if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
        raise ValueError(f"{path} is not a Guanxi churn model file")
    if payload.get("format_version") != _FORMAT_VERSION:
        raise ValueError(f"{path} has model format {payload.get('format_version')!r}")
    model = payload.get("model")
    if not isinstance(model, ChurnModel):
        raise ValueError(f"{path} is not a Guanxi churn model file")
    return model
