"""The churn model's import path before it became the :mod:`guanxi.analytics.churn` package.

Kept because a saved model file is a pickle that names the module of each class: files
written before the split refer to ``guanxi.analytics.churn_model.ChurnModel`` (and its
``ColumnSpec`` and ``ValidationReport``) and load only while these names resolve here. New
code imports :mod:`guanxi.analytics.churn`.
"""

from guanxi.analytics.churn import (
    MODEL_FORMAT,
    ChurnModel,
    ColumnSpec,
    ValidationReport,
    churn_features,
    churn_labels,
    encode_target,
    infer_schema,
    load_model,
    ranking_metrics,
    resolve_column,
)

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
