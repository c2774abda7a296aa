"""Predictive churn model for any tabular customer file, and churn features from transactions.

:class:`ChurnModel` is a scikit-learn estimator (``fit`` returns self, fitted attributes end
in ``_``, ``predict_proba``) around gradient-boosted trees
(:class:`~sklearn.ensemble.HistGradientBoostingClassifier` with native categorical splits):

* **Column types are detected** from the training frame (:func:`infer_schema`): numbers,
  numbers stored as text (blanks become missing values, as Telco's ``TotalCharges``), and
  categories (text, booleans). Identifier-like columns (almost every value distinct),
  constant columns and date/time columns are left out, with the reason in ``excluded_``.
* **Validation** runs inside ``fit`` before the final fit on all rows: a time split (train on
  the earlier customers, validate on the later) when ``time_col`` is given, else a stratified
  holdout with a fixed seed. ``validation_`` holds ROC AUC, PR AUC (average precision) and the
  top-decile lift.
* **Reasons** (:meth:`ChurnModel.reasons`): the contribution of feature *j* for a customer is
  ``p(x) - E[p(x with feature j drawn from the training distribution)]`` -- how much more
  (or less) likely to churn the customer is than if this one feature took a typical value,
  everything else unchanged. The expectation runs over the training distribution of the
  feature, not its mode: with a mode reference, the most common value (Telco's
  month-to-month contract, 55 % of customers and the strongest risk driver) would never be a
  reason. Contributions are probability changes; they are one-at-a-time effects and do not
  add up to ``p(x)`` the way SHAP values do.
* **Persistence**: :meth:`ChurnModel.save` writes one file with the fitted model and its
  column schema; :func:`load_model` checks the file really is a Guanxi churn model.
  Scoring a frame that lacks a model column fails with an error naming it; extra columns are
  ignored. Column names match exactly, or case-insensitively when that is unambiguous.

The transaction-side helpers :func:`churn_features` and :func:`churn_labels` build Ibis
expressions (DuckDB by default), so they run in the backend at any size.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import joblib
import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

from guanxi.analytics.summary import require_columns

__all__ = [
    "MODEL_FORMAT",
    "ChurnModel",
    "ColumnSpec",
    "ValidationReport",
    "churn_features",
    "churn_labels",
    "encode_target",
    "infer_schema",
    "load_model",
    "ranking_metrics",
    "resolve_column",
]

MODEL_FORMAT = "guanxi.churn_model"
"""Marker stored in every saved model file (checked by :func:`load_model`)."""
_FORMAT_VERSION = 1

ColumnKind = Literal["numeric", "categorical"]
DateLike = dt.date | dt.datetime | str

_POSITIVE = frozenset({"yes", "y", "true", "t", "1", "1.0", "churn", "churned"})
_NEGATIVE = frozenset({"no", "n", "false", "f", "0", "0.0"})
_OTHER = "(other)"  # bucket of the rare categories beyond max_categories
# Text columns whose values parse as numbers this often are numbers stored as text; the few
# that do not parse (typos, "n/a") become missing values.
_NUMERIC_TEXT_SHARE = 0.99
_ID_MIN_ROWS = 50  # below this a column of distinct integers is as likely a feature as an id
# Values of a feature that contributions average over: the most frequent categories, or
# evenly spaced quantiles of a number.
_BACKGROUND_CATEGORIES = 20
_BACKGROUND_QUANTILES = 10
_PREDICT_ROWS = 500_000  # rows per predict_proba call when computing contributions
_IMPORTANCE_SAMPLE = 500  # training rows used to rank features by mean |contribution|


@dataclass(frozen=True)
class ColumnSpec:
    """How one input column enters the model.

    Attributes:
        name: the column name in the training frame.
        kind: ``"numeric"`` (float, missing allowed) or ``"categorical"``.
        categories: for categorical columns, the category labels in code order; the last is
            ``"(other)"`` when rare categories were merged.
    """

    name: str
    kind: ColumnKind
    categories: tuple[str, ...] = ()


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


# --------------------------------------------------------------------------- input handling


def resolve_column(columns: Iterable[Hashable], name: str, *, what: str = "input") -> str:
    """The column of ``columns`` called ``name``: exact match, else a unique case-insensitive one.

    Raises ``ValueError`` naming the column (and the available ones) when it is absent.
    """
    names = [str(c) for c in columns]
    if name in names:
        return name
    folded = [c for c in names if c.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise ValueError(f"{what} has no column {name!r}; columns: {', '.join(names)}")


def encode_target(y: Any, positive_label: Any = None) -> tuple[np.ndarray, tuple[Any, Any]]:
    """Turn a two-class target into 0/1 and return ``(y01, (negative_label, positive_label))``.

    Accepts Yes/No, True/False, Y/N, 1/0 (as text, booleans or numbers, any case). Numbers
    other than 0/1: the larger value is the positive class. Other pairs of labels need
    ``positive_label``. Raises ``ValueError`` when values are missing or there are not
    exactly two classes.
    """
    values = pd.Series(np.asarray(y, dtype=object) if not isinstance(y, pd.Series) else y)
    if values.empty:
        raise ValueError("target is empty")
    text = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    missing = text.isna() | (text == "")
    if missing.any():
        raise ValueError(f"target has {int(missing.sum())} missing value(s)")
    labels = list(pd.unique(text))
    if len(labels) != 2:
        shown = ", ".join(repr(v) for v in labels[:5])
        raise ValueError(
            f"target must have exactly 2 classes, found {len(labels)}: {shown}"
            + (" ..." if len(labels) > 5 else "")
        )
    positive = _positive_label(labels, positive_label)
    negative = labels[1] if labels[0] == positive else labels[0]
    return (text == positive).to_numpy(dtype=np.int8), (negative, positive)


def _positive_label(labels: list[Any], positive_label: Any) -> Any:
    if positive_label is not None:
        matches = [v for v in labels if str(v).casefold() == str(positive_label).casefold()]
        if not matches:
            raise ValueError(f"positive_label {positive_label!r} is not one of {labels!r}")
        return matches[0]
    if all(isinstance(v, bool | np.bool_) for v in labels):
        return True
    if all(isinstance(v, int | float | np.number) for v in labels):
        return max(labels)
    folded = [str(v).casefold() for v in labels]
    positive = [v for v, f in zip(labels, folded, strict=True) if f in _POSITIVE]
    negative = [v for v, f in zip(labels, folded, strict=True) if f in _NEGATIVE]
    if len(positive) == 1 and len(negative) <= 1:
        return positive[0]
    raise ValueError(
        f"cannot tell which of {labels[0]!r} / {labels[1]!r} means churn; pass positive_label"
    )


def _as_numeric(values: pd.Series) -> tuple[pd.Series, float]:
    """``values`` as floats (blank or unparsable text -> NaN) and the share that parsed."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float), 0.0  # booleans are categories, never "numbers as text"
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float), 1.0
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    numbers = pd.to_numeric(text, errors="coerce").astype(float)
    present = int(text.notna().sum())
    return numbers, (float(numbers.notna().sum()) / present if present else 0.0)


def _as_text(values: pd.Series) -> pd.Series:
    """Category labels as stripped text; integral floats lose their ``.0``; blanks -> NA."""
    if pd.api.types.is_float_dtype(values):
        values = values.map(lambda v: str(int(v)) if v.is_integer() else str(v), na_action="ignore")
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _classify(
    values: pd.Series, max_categories: int, id_unique_ratio: float
) -> tuple[ColumnKind | None, str]:
    """``(kind, "")`` for a usable column, ``(None, reason)`` for one left out."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return None, "date/time column (derive features such as tenure from it)"
    if values.nunique(dropna=True) <= 1:
        return None, "constant or empty"
    numbers, share = _as_numeric(values)
    if share >= _NUMERIC_TEXT_SHARE:
        present = numbers.dropna()
        integral = bool((present == present.round()).all())
        if integral and len(present) >= _ID_MIN_ROWS and present.nunique() >= 0.99 * len(present):
            return None, "looks like an identifier (distinct integers)"
        return "numeric", ""
    text = _as_text(values)
    n_distinct = text.nunique(dropna=True)
    if n_distinct > max_categories and n_distinct > id_unique_ratio * text.notna().sum():
        return None, "looks like an identifier (mostly distinct text values)"
    return "categorical", ""


def infer_schema(
    frame: pd.DataFrame,
    *,
    exclude: Iterable[str] = (),
    max_categories: int = 50,
    id_unique_ratio: float = 0.5,
) -> tuple[tuple[ColumnSpec, ...], dict[str, str]]:
    """Detect the feature columns of ``frame`` and their types.

    Returns ``(specs, excluded)``: one :class:`ColumnSpec` per usable column, and the
    reason for every left-out column. A column is numeric when it has a numeric dtype or at
    least 99 % of its non-blank values parse as numbers; booleans and other text are
    categorical, keeping the ``max_categories - 1`` most frequent labels and merging the
    rest into ``"(other)"``. Text columns with more than ``max_categories`` labels that are
    also distinct on more than ``id_unique_ratio`` of the rows look like identifiers and are
    left out, as are integer columns distinct on 99 % of at least 50 rows, constant columns
    and date/time columns.
    """
    excluded = {c: "excluded by the caller" for c in exclude}
    specs: list[ColumnSpec] = []
    for name in frame.columns:
        column = str(name)
        if column in excluded:
            continue
        values = frame[name]
        kind, reason = _classify(values, max_categories, id_unique_ratio)
        if kind is None:
            excluded[column] = reason
        elif kind == "numeric":
            specs.append(ColumnSpec(column, "numeric"))
        else:
            specs.append(ColumnSpec(column, "categorical", _categories(values, max_categories)))
    if not specs:
        raise ValueError("no usable feature column: " + _describe_excluded(excluded))
    return tuple(specs), excluded


def _categories(values: pd.Series, max_categories: int) -> tuple[str, ...]:
    counts = _as_text(values).value_counts(dropna=True)
    # Most frequent first, ties by label, so that the codes are reproducible.
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    labels = [str(k) for k, _ in ordered]
    if len(labels) <= max_categories:
        return tuple(labels)
    return (*labels[: max_categories - 1], _OTHER)


def _describe_excluded(excluded: dict[str, str]) -> str:
    return "; ".join(f"{c}: {r}" for c, r in excluded.items()) or "the input has no columns"


def _encode(frame: pd.DataFrame, specs: Sequence[ColumnSpec]) -> np.ndarray:
    """The model matrix: numbers as floats, categories as float codes, missing/unseen = NaN."""
    out = np.empty((len(frame), len(specs)), dtype=np.float64)
    for j, spec in enumerate(specs):
        values = frame[spec.name]
        if spec.kind == "numeric":
            out[:, j] = _as_numeric(values)[0].to_numpy()
            continue
        text = _as_text(values)
        codes = pd.Index(spec.categories).get_indexer(text).astype(np.float64)
        unknown = codes < 0
        if spec.categories and spec.categories[-1] == _OTHER:
            codes[unknown & text.notna().to_numpy()] = len(spec.categories) - 1
            unknown = codes < 0
        codes[unknown] = np.nan
        out[:, j] = codes
    return out


# --------------------------------------------------------------------------- validation


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
    numbers, share = _as_numeric(values)
    if share == 1.0:
        return numbers
    dates = pd.to_datetime(values, errors="coerce", format="mixed")
    return dates if dates.notna().all() else values.astype("string")


def _time_split(
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


# --------------------------------------------------------------------------- the model


class ChurnModel(ClassifierMixin, BaseEstimator):
    """Gradient-boosted churn classifier for any customer table (see the module docstring).

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
            train, valid, cutoff = _time_split(times, fraction, self.time_col)
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
        Z = _encode(X, self.schema_)
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
            self.background_ = [_background(Z[:, j], s) for j, s in enumerate(self.schema_)]
            self.feature_importances_ = self._importances(Z)

    def _leaf_size(self, n_rows: int) -> int:
        if self.min_samples_leaf is not None:
            return self.min_samples_leaf
        return int(np.clip(n_rows // 80, 5, 50))

    def _importances(self, Z: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(self.random_state)
        sample = rng.choice(len(Z), size=min(len(Z), _IMPORTANCE_SAMPLE), replace=False)
        all_features = np.arange(Z.shape[1])
        return np.abs(self._contributions(Z[sample], all_features)).mean(axis=0)

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
        return _encode(self._aligned(X), self.schema_)

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
        raise the risk. See the module docstring for the definition.
        """
        Z = self._matrix(X)
        features = self._reason_features()
        values = self._contributions(Z, features)
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
        values = self._contributions(Z, features)
        k = min(k, len(features))
        top = np.argsort(-values, axis=1, kind="stable")[:, :k]
        rows = np.arange(len(Z))[:, None]
        out: dict[str, Any] = {}
        for i in range(k):
            feature_idx = features[top[:, i]]
            contribution = values[rows[:, 0], top[:, i]]
            shown = [self._display(j, Z[r, j]) for r, j in enumerate(feature_idx)]
            names = [self.feature_names_[j] for j in feature_idx]
            out[f"reason_{i + 1}"] = [
                _reason_text(n, v, c) for n, v, c in zip(names, shown, contribution, strict=True)
            ]
            out[f"reason_{i + 1}_feature"] = names
            out[f"reason_{i + 1}_value"] = shown
            out[f"reason_{i + 1}_contribution"] = contribution
        return pd.DataFrame(out, index=X.index)

    def _reason_features(self) -> np.ndarray:
        order = np.argsort(-self.feature_importances_, kind="stable")
        return np.sort(order[: self.max_reason_features])

    def _contributions(self, Z: np.ndarray, features: np.ndarray) -> np.ndarray:
        """``p(x) - E_v[p(x with feature j = v)]`` for each row and each feature in ``features``.

        All (feature, value) substitutions of a block of rows go through one
        ``predict_proba`` call: the per-call overhead (thread start-up) dominates small calls.
        """
        subs = [
            (i, j, v, w)
            for i, j in enumerate(features)
            for v, w in zip(*self.background_[j], strict=True)
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
            p = self.estimator_.predict_proba(stacked.reshape(-1, Z.shape[1]))[:, 1]
            expected = weights @ p.reshape(len(subs), len(rows))
            base = self.estimator_.predict_proba(rows)[:, 1]
            out[start : start + len(rows)] = base[:, None] - expected.T
        return out

    def _display(self, j: int, code: float) -> str:
        if np.isnan(code):
            return "missing"
        spec = self.schema_[j]
        if spec.kind == "categorical":
            return spec.categories[int(code)]
        return str(int(code)) if code == round(code) else f"{code:g}"

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


def _background(codes: np.ndarray, spec: ColumnSpec) -> tuple[np.ndarray, np.ndarray]:
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


def _reason_text(feature: str, value: str, contribution: float) -> str:
    direction = "raises" if contribution >= 0 else "lowers"
    return f"{feature} = {value} {direction} risk by {abs(contribution):.2f}"


# --------------------------------------------------------------------------- transactions


def _as_day(value: DateLike, name: str) -> dt.date:
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}={value!r} is not a date") from exc


def _day(table: ir.Table, column: str) -> ir.DateValue:
    col = table[column]
    dtype = col.type()
    if dtype.is_timestamp():
        return col.date()
    if dtype.is_date():
        return col
    if dtype.is_string():
        return col.cast("date")
    raise ValueError(f"column {column!r} must be a date, timestamp or ISO date text, not {dtype}")


def churn_features(
    transactions: ir.Table,
    as_of: DateLike,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str = "amount",
    holdings: ir.Table | None = None,
    product_col: str = "product",
    cases: ir.Table | None = None,
    contacts: ir.Table | None = None,
    surveys: ir.Table | None = None,
    score_col: str = "score",
    event_date_col: str = "date",
    window_days: int = 365,
) -> ir.Table:
    """Per-customer churn features as of ``as_of`` (an Ibis expression; nothing runs yet).

    Only transactions dated on or before ``as_of`` count, so features never see the label
    period. One row per customer with at least one such transaction:

    * ``recency_days`` -- days from the last transaction to ``as_of``;
    * ``frequency`` -- distinct transaction days; ``monetary`` -- sum of amounts (net of
      returns);
    * ``spend_last_3m`` -- amounts in the 3 calendar months up to ``as_of`` (exclusive start),
      ``spend_prev_3m`` -- the 3 months before that, ``spend_trend`` --
      ``(last - prev) / (|last| + |prev|)`` in [-1, 1] (-1 = stopped spending, null when
      both are 0);
    * ``tenure_days`` -- days from the first transaction to ``as_of``;
    * with ``holdings`` (``customer_col``, ``product_col``; a current snapshot):
      ``n_products``, distinct products held (0 if none);
    * with ``cases`` / ``contacts`` (``customer_col``, ``event_date_col``): ``n_cases`` /
      ``n_contacts`` in the ``window_days`` up to ``as_of``;
    * with ``surveys`` (``customer_col``, ``event_date_col``, ``score_col``): ``n_surveys``
      and ``avg_satisfaction`` (null if none) in the same window.
    """
    day = _as_day(as_of, "as_of")
    require_columns(transactions, customer_col, date_col, amount_col, what="transactions")
    t = transactions.select(
        _c=transactions[customer_col],
        _d=_day(transactions, date_col),
        _a=transactions[amount_col].cast("float64"),
    )
    t = t.filter(t._c.notnull(), t._d.notnull(), t._d <= day)
    three, six = _months_before(day, 3), _months_before(day, 6)
    per = t.group_by("_c").aggregate(
        _first=t._d.min(),
        _last=t._d.max(),
        frequency=t._d.nunique(),
        monetary=t._a.sum(),
        spend_last_3m=t._a.sum(where=t._d > three).fill_null(0.0),
        spend_prev_3m=t._a.sum(where=(t._d > six) & (t._d <= three)).fill_null(0.0),
    )
    as_of_lit = ibis.literal(day, type="date")
    scale = per.spend_last_3m.abs() + per.spend_prev_3m.abs()
    out = per.select(
        per._c,
        recency_days=as_of_lit.delta(per._last, unit="day").cast("int64"),
        frequency=per.frequency.cast("int64"),
        monetary=per.monetary,
        spend_last_3m=per.spend_last_3m,
        spend_prev_3m=per.spend_prev_3m,
        spend_trend=ibis.ifelse(
            scale > 0, (per.spend_last_3m - per.spend_prev_3m) / scale, ibis.null("float64")
        ),
        tenure_days=as_of_lit.delta(per._first, unit="day").cast("int64"),
    )
    if holdings is not None:
        require_columns(holdings, customer_col, product_col, what="holdings")
        held = holdings.group_by(_c=holdings[customer_col]).aggregate(
            n_products=holdings[product_col].nunique()
        )
        out = _join_counts(out, held, {"n_products": 0})
    window_start = day - dt.timedelta(days=window_days)
    for name, table in (("cases", cases), ("contacts", contacts)):
        if table is not None:
            events = _window(table, customer_col, event_date_col, window_start, day, name)
            counts = events.group_by("_c").aggregate(**{f"n_{name}": events.count()})
            out = _join_counts(out, counts, {f"n_{name}": 0})
    if surveys is not None:
        require_columns(surveys, score_col, what="surveys")
        events = _window(surveys, customer_col, event_date_col, window_start, day, "surveys")
        stats = events.group_by("_c").aggregate(
            n_surveys=events.count(), avg_satisfaction=events[score_col].cast("float64").mean()
        )
        out = _join_counts(out, stats, {"n_surveys": 0})
    return out.rename({customer_col: "_c"})


def _months_before(day: dt.date, months: int) -> dt.date:
    return (pd.Timestamp(day) - pd.DateOffset(months=months)).date()


def _window(
    table: ir.Table, customer_col: str, date_col: str, start: dt.date, end: dt.date, what: str
) -> ir.Table:
    """Rows of ``table`` dated in ``(start, end]``, with the customer renamed ``_c``."""
    require_columns(table, customer_col, date_col, what=what)
    t = table.mutate(_c=table[customer_col], _d=_day(table, date_col))
    return t.filter(t._d > start, t._d <= end)


def _join_counts(base: ir.Table, extra: ir.Table, zero_fill: dict[str, int]) -> ir.Table:
    """Left-join per-customer ``extra`` (keyed ``_c``) onto ``base``; absent counts become 0."""
    joined = base.left_join(extra, "_c")
    new = {c: joined[c] for c in extra.columns if c != "_c"}
    for column, zero in zero_fill.items():
        new[column] = new[column].fill_null(zero)
    return joined.select(*base.columns, **new)


def churn_labels(
    transactions: ir.Table,
    as_of: DateLike,
    horizon_days: int,
    *,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = None,
) -> ir.Table:
    """Churn label per customer: no transaction in the ``horizon_days`` after ``as_of``.

    Customers are those with a transaction on or before ``as_of`` (the population of
    :func:`churn_features`). ``churned`` is 1 when they have none in
    ``(as_of, as_of + horizon_days]``, else 0. With ``amount_col``, only rows with a
    positive amount count as purchases (a refund is not a sign of life).
    """
    if horizon_days < 1:
        raise ValueError("horizon_days must be >= 1")
    day = _as_day(as_of, "as_of")
    require_columns(transactions, customer_col, date_col, amount_col, what="transactions")
    t = transactions.mutate(_c=transactions[customer_col], _d=_day(transactions, date_col))
    if amount_col is not None:
        t = t.filter(t[amount_col] > 0)
    t = t.filter(t._c.notnull(), t._d.notnull())
    end = day + dt.timedelta(days=horizon_days)
    per = t.group_by("_c").aggregate(
        _before=(t._d <= day).any(),
        _after=((t._d > day) & (t._d <= end)).any(),
    )
    per = per.filter(per._before)
    return per.select(per._c, churned=ibis.ifelse(per._after, 0, 1).cast("int8")).rename(
        {customer_col: "_c"}
    )
