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

Modules: :mod:`.schema` (column types, target, model matrix), :mod:`.validation`,
:mod:`.explain` (contributions and reasons), :mod:`.model` (:class:`ChurnModel`, model files),
:mod:`.features` (features and labels from transactions).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guanxi.analytics.churn.features import churn_features, churn_labels
    from guanxi.analytics.churn.model import MODEL_FORMAT, ChurnModel, load_model
    from guanxi.analytics.churn.schema import (
        ColumnSpec,
        encode_target,
        infer_schema,
        resolve_column,
    )
    from guanxi.analytics.churn.validation import ValidationReport, ranking_metrics

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

_MODULES = {
    "MODEL_FORMAT": "model",
    "ChurnModel": "model",
    "load_model": "model",
    "ColumnSpec": "schema",
    "encode_target": "schema",
    "infer_schema": "schema",
    "resolve_column": "schema",
    "ValidationReport": "validation",
    "ranking_metrics": "validation",
    "churn_features": "features",
    "churn_labels": "features",
}


def __getattr__(name: str) -> Any:
    """Each name of the package from its module on first use: a caller of the light modules
    (store features, model settings) does not wait for scikit-learn's imports, a second and
    a half at the start of ``guanxi analyze``."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
