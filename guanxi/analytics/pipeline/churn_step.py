"""The churn model step of :func:`~guanxi.analytics.pipeline.analyze`: train it by time on
store features, decide whether its probability is good enough to rank the call list, score
today's customers with reasons (see :mod:`guanxi.analytics.churn.store_model`)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from threadpoolctl import threadpool_limits

from guanxi.analytics.churn.store_features import (
    LogColumns,
    StoreTables,
    months_before,
    store_features,
)
from guanxi.analytics.churn.store_model import (
    REASON_TYPE,
    ChurnModelConfig,
    choose_horizon,
    labelled_frame,
    score_with_reasons,
    train_by_time,
)
from guanxi.analytics.duckdb_functions import value_hash
from guanxi.analytics.pipeline.config import AMOUNT, CUSTOMER, DAY
from guanxi.analytics.pipeline.context import Run

_COLUMNS = LogColumns(customer_col=CUSTOMER, date_col=DAY, amount_col=AMOUNT)
MODEL_PROBABILITY = "model_probability"
MODEL_COLUMNS = ("churn_model_probability", "churn_model_reasons")
"""Columns the step adds to ``AnalysisResult.customers`` (after ``CUSTOMER_COLUMNS``)."""


@dataclass
class ModelOutcome:
    """What the step found: per-customer scores (None when no model was fitted) and the
    JSON-ready summary kept in the run's overview (``overview["churn_model"]``)."""

    scores: pa.Table | None
    info: dict[str, Any]

    @property
    def used(self) -> bool:
        """Whether value at risk uses the model's probability (else 1 - P(alive))."""
        return self.info["probability_source"] == "model"


def churn_model_step(
    run: Run,
    tx: ir.Table,
    as_of: dt.date,
    tables: StoreTables | None,
    cfg: ChurnModelConfig,
    summary: ir.Table | None = None,
) -> ModelOutcome:
    """Train, validate and apply the model on the run's copy of the log (``tx``); today's
    features take the paid days of the run's ``summary`` (``paid_days=True``) when given."""
    info: dict[str, Any] = {"status": "disabled", "probability_source": "p_alive"}
    if not cfg.enabled:
        return ModelOutcome(None, info)
    first = tx[DAY].min().to_pyarrow().as_py()
    horizon = choose_horizon(first, as_of, cfg)
    if horizon is None:  # said on the dashboard; not a warning: most small files are short
        return ModelOutcome(None, {**info, "status": "short_history", "first_day": str(first)})
    valid_day, fit_day = months_before(as_of, horizon), months_before(as_of, 2 * horizon)
    info.update(
        horizon_months=horizon,
        fit_day=fit_day.isoformat(),
        valid_day=valid_day.isoformat(),
        auc_floor=cfg.auc_floor,
    )
    kinds = cfg.balance_kinds
    # The same customers for the fit, its validation by time and the final fit: each fit
    # takes at most max_train_rows of them, and a validation AUC over 100,000 customers is
    # as sure as over a million (their features were a third of the step at a million).
    sample = _fit_sample(run, tx, cfg.max_train_rows)
    # In customer order: a fit samples its frame's rows by position, and the backend returns
    # them in any order, so the same log trained a slightly different model each run.
    earlier = labelled_frame(sample, fit_day, valid_day, tables, kinds, **_COLUMNS)
    earlier = earlier.order_by("customer_id").to_pandas()
    later = labelled_frame(sample, valid_day, as_of, tables, kinds, **_COLUMNS)
    later = later.order_by("customer_id").to_pandas()
    if sample is not tx:
        run.release(sample)
    try:
        # One thread: on a busy machine OpenMP's threads wait on each other (a 75k-row fit
        # took 6-12 s on 2 threads against 1.2 s on one).
        with threadpool_limits(1):
            model, metrics = train_by_time(earlier, later, cfg)
    except ValueError as exc:  # one class only, or nothing to learn from
        run.warn("CHURN_MODEL_FAILED", detail=str(exc))
        return ModelOutcome(None, {**info, "status": "failed"})
    info.update(metrics, features=list(model.feature_names_))
    if metrics["roc_auc"] > cfg.auc_floor:
        info.update(status="used", probability_source="model")
    else:
        info["status"] = "weak"
        run.warn("CHURN_MODEL_WEAK", auc=f"{metrics['roc_auc']:.3f}", floor=cfg.auc_floor)
    today = store_features(tx, as_of, tables, balance_kinds=kinds, paid=summary, **_COLUMNS)
    # In customer order too: customers of equal probability at the edge of those explained
    # are taken by position.
    today = today.order_by("customer_id").to_pandas()
    # Scoring is not fitting: a million rows split evenly over the cores (6.9 s on one,
    # 4.0 s on two at a million customers).
    return ModelOutcome(score_with_reasons(model, today, cfg), info)


# Customers are picked for the fits by their id's hash modulo this many buckets.
_BUCKETS = 10_000


def _fit_sample(run: Run, tx: ir.Table, rows: int) -> ir.Table:
    """The log of about a fifth more than ``rows`` customers (all of a smaller log), picked
    by a hash of their id: each fit takes ``rows`` customers of its frame, so the frames'
    features need not be computed for every customer (two thirds of the step's feature
    work at a million customers). Materialised: both frames read it, and hashing the whole
    log for each took longer than the copy."""
    customers = tx[CUSTOMER].nunique().to_pyarrow().as_py()
    if customers <= rows:
        return tx
    keep = math.ceil(_BUCKETS * 1.2 * rows / customers)
    return run.materialise(tx.filter(_bucket(tx) < keep))


def _bucket(tx: ir.Table) -> ir.IntegerValue:
    """Each row's customer bucket, 0 to ``_BUCKETS - 1``, from a hash of the customer id."""
    if tx.get_backend().name == "duckdb":
        return value_hash(tx[CUSTOMER]) % _BUCKETS
    # Elsewhere Ibis's own hash, a signed number: its remainder's size is spread evenly.
    return (tx[CUSTOMER].hash() % _BUCKETS).abs()


def with_model_probability(run: Run, customers: ir.Table, outcome: ModelOutcome) -> ir.Table:
    """``customers`` with the model's probability as ``model_probability`` (null without)."""
    if outcome.scores is None:
        return customers.mutate(**{MODEL_PROBABILITY: ibis.null("float64")})
    scores = run.materialise(outcome.scores.select([CUSTOMER, MODEL_PROBABILITY]))
    return customers.left_join(scores, CUSTOMER).drop(f"{CUSTOMER}_right")


def attach_model_columns(customers: pa.Table, outcome: ModelOutcome) -> pa.Table:
    """The run's customer table with ``churn_model_probability`` and ``churn_model_reasons``."""
    n = customers.num_rows
    if outcome.scores is None:
        return customers.append_column(
            "churn_model_probability", pa.nulls(n, pa.float64())
        ).append_column("churn_model_reasons", pa.nulls(n, REASON_TYPE))
    scores = outcome.scores
    ids = customers[CUSTOMER].combine_chunks()
    # Positions of each customer's scores (null for customers the model did not judge:
    # those without a purchase), so the table's order and length stay as they are.
    picked = scores.take(pc.index_in(ids, value_set=scores[CUSTOMER].combine_chunks()))
    return customers.append_column(
        "churn_model_probability", picked[MODEL_PROBABILITY]
    ).append_column("churn_model_reasons", picked["model_reasons"])
