"""Fitting the CLV models of a run: the purchase model (with a penalised retry), the
Gamma-Gamma spend model (with an empirical fallback), and CLV; NumPy only, in a worker thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from guanxi.analytics.clv import ConvergenceError, GammaGammaFitter, customer_lifetime_value
from guanxi.analytics.clv.base import TransactionModel
from guanxi.analytics.clv.clv import UNITS_PER_MONTH
from guanxi.analytics.pipeline.config import CLV_MODELS, CUSTOMER, AnalysisConfig
from guanxi.analytics.pipeline.context import Run

MODEL_INPUTS = ("frequency", "recency", "T", "monetary_value")
MODEL_COLUMNS = ("p_alive", "expected_purchases", "expected_spend", "clv")


@dataclass
class ModelFit:
    """What :func:`fit_models` found: outputs (None = not computed), info and warnings.

    Collected here rather than on the run because the fit runs in another thread.
    """

    outputs: dict[str, np.ndarray | None]
    info: dict[str, Any]
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def warn(self, code: str, **fields: Any) -> None:
        """Record a warning for the run (a :data:`WARNINGS` code and its fields)."""
        self.warnings.append((code, fields))


def fit_models(inputs: pa.Table, cfg: AnalysisConfig) -> ModelFit:
    """Fit the purchase and spend models on the summary's model columns (NumPy only)."""
    x, t_x, age, value = (inputs[c].to_numpy().astype(np.float64) for c in MODEL_INPUTS)
    fit = ModelFit(
        dict.fromkeys(MODEL_COLUMNS), {"model": cfg.clv_model, "time_unit": cfg.time_unit}
    )
    purchase = _fit_purchase_model(fit, x, t_x, age, cfg)
    if purchase is None:
        return fit
    model, p_alive, expected = purchase
    spend = _expected_spend(fit, x, value, cfg)
    with np.errstate(all="ignore"):  # checked just below
        clv = customer_lifetime_value(
            model,
            x,
            t_x,
            age,
            spend,
            time_horizon_months=cfg.horizon_months,
            discount_rate=cfg.monthly_discount_rate,
            time_unit=cfg.time_unit,
        )
    if not np.all(np.isfinite(clv)):
        fit.warn("MODEL_FAILED", model=cfg.clv_model, detail="non-finite CLV")
        return fit
    fit.outputs = dict(zip(MODEL_COLUMNS, (p_alive, expected, spend, clv), strict=True))
    return fit


def model_table(run: Run, inputs: pa.Table, fit: ModelFit) -> ir.Table:
    """The model outputs per customer as a backend table; the fit's warnings join the run's."""
    for code, fields in fit.warnings:
        run.warn(code, **fields)
    n = inputs.num_rows
    columns = {
        name: pa.nulls(n, pa.float64()) if values is None else pa.array(values, pa.float64())
        for name, values in fit.outputs.items()
    }
    return run.materialise(pa.table({CUSTOMER: inputs[CUSTOMER], **columns}))


def _fit_purchase_model(
    fit: ModelFit, x: np.ndarray, t_x: np.ndarray, age: np.ndarray, cfg: AnalysisConfig
) -> tuple[TransactionModel, np.ndarray, np.ndarray] | None:
    """The fitted model, P(alive) and expected purchases; None (with a warning) if impossible.

    A fit that fails or predicts non-finite values is retried once with
    ``cfg.retry_penalizer``: small or degenerate data (no sign of dropout) drives the
    unpenalised estimates to the parameter bounds, where the predictions overflow.
    """
    if len(x) < cfg.min_model_customers:
        fit.warn("TOO_FEW_CUSTOMERS", n=len(x), min=cfg.min_model_customers)
        return None
    if not np.any(x > 0):
        fit.warn("NO_REPEAT_PURCHASES")
        return None
    horizon = cfg.horizon_months * UNITS_PER_MONTH[cfg.time_unit]
    detail = ""
    penalizers = [cfg.penalizer_coef]
    if cfg.retry_penalizer is not None and cfg.retry_penalizer != cfg.penalizer_coef:
        penalizers.append(cfg.retry_penalizer)
    for penalizer in penalizers:
        try:
            model = CLV_MODELS[cfg.clv_model](penalizer_coef=penalizer).fit(x, t_x, age)
        except (ConvergenceError, ValueError) as exc:
            detail = str(exc).splitlines()[0]
            continue
        with np.errstate(all="ignore"):  # degenerate estimates give inf/NaN: checked below
            p_alive = model.conditional_probability_alive(x, t_x, age)
            expected = model.conditional_expected_number_of_purchases_up_to_time(
                horizon, x, t_x, age
            )
        if not (np.all(np.isfinite(p_alive)) and np.all(np.isfinite(expected))):
            detail = "non-finite predictions"
            continue
        if penalizer != cfg.penalizer_coef:
            fit.warn("MODEL_PENALIZED", model=cfg.clv_model, detail=detail, penalizer=penalizer)
        fit.info.update(
            params=model.params_,
            log_likelihood=model.log_likelihood_,
            n_customers=model.n_customers_,
            penalizer_coef=penalizer,
        )
        return model, p_alive, expected
    fit.warn("MODEL_FAILED", model=cfg.clv_model, detail=detail)
    return None


def _expected_spend(
    fit: ModelFit, x: np.ndarray, value: np.ndarray, cfg: AnalysisConfig
) -> np.ndarray:
    """Expected value of one future purchase per customer (Gamma-Gamma, or the fallback)."""
    # Repeat customers whose repeat purchases were all free carry no spend information:
    # the model treats them like one-time buyers (it needs a positive mean).
    informative = (x > 0) & (value > 0)
    x_spend = np.where(informative, x, 0.0)
    detail = None
    if informative.sum() < cfg.min_model_customers:
        detail = f"{int(informative.sum())} repeat customers with spend"
    else:
        try:
            spend_model = GammaGammaFitter(penalizer_coef=cfg.penalizer_coef).fit(
                x[informative], value[informative]
            )
            fit.info["spend_model"] = {
                "model": "gammagamma",
                "params": spend_model.params_,
                "log_likelihood": spend_model.log_likelihood_,
                "n_customers": spend_model.n_customers_,
            }
            return spend_model.conditional_expected_average_profit(x_spend, value)
        except (ConvergenceError, ValueError) as exc:
            detail = str(exc).splitlines()[0]
    fit.warn("SPEND_MODEL_FALLBACK", detail=detail)
    fit.info["spend_model"] = {"model": "empirical", "reason": detail}
    population = float(value[informative].mean()) if informative.any() else 0.0
    return np.where(informative, value, population)
