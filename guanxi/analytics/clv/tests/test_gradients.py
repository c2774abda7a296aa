"""Every model's analytic gradient agrees with central finite differences of its likelihood."""

from __future__ import annotations

import numpy as np
import pytest

from guanxi.analytics.clv import (
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
)
from guanxi.analytics.clv.base import BaseFitter

RNG = np.random.default_rng(7)
N = 60
_X = RNG.integers(0, 30, N).astype(float)
_T = RNG.uniform(1, 60, N)
_TX = np.where(_X > 0, RNG.uniform(0, 1, N) * _T, 0.0)
CONTINUOUS = np.column_stack([_X, _TX, _T])
_N_PERIODS = RNG.integers(0, 12, N).astype(float)
_TX_D = np.floor(RNG.uniform(0, 1, N) * (_N_PERIODS + 1))
DISCRETE = np.column_stack([np.floor(RNG.uniform(0, 1, N) * (_TX_D + 1)), _TX_D, _N_PERIODS])
SPEND = np.column_stack([RNG.integers(1, 20, N).astype(float), RNG.uniform(1, 200, N)])

CASES = [
    (BetaGeoFitter, CONTINUOUS, [0.3, 4.0, 0.8, 2.5]),
    (BetaGeoFitter, CONTINUOUS, [2.0, 0.5, 3.0, 0.4]),
    (ModifiedBetaGeoFitter, CONTINUOUS, [0.5, 6.0, 0.9, 1.6]),
    (ParetoNBDFitter, CONTINUOUS, [0.55, 10.6, 0.6, 11.7]),  # alpha < beta
    (ParetoNBDFitter, CONTINUOUS, [1.5, 30.0, 0.4, 2.0]),  # alpha > beta, z close to 1
    (ParetoNBDFitter, CONTINUOUS, [0.8, 5.0, 1.3, 5.0]),  # alpha == beta
    (BetaGeoBetaBinomFitter, DISCRETE, [1.2, 0.75, 0.66, 2.8]),
    (GammaGammaFitter, SPEND, [6.25, 3.74, 15.4]),
]


def total_log_likelihood(model: BaseFitter, params: np.ndarray, data: np.ndarray) -> float:
    return float(model._log_likelihood_terms(params, data)[0].sum())


@pytest.mark.parametrize(("cls", "data", "params"), CASES)
def test_gradient_matches_finite_differences(
    cls: type[BaseFitter], data: np.ndarray, params: list[float]
) -> None:
    model = cls()
    point = np.array(params)
    analytic = model._log_likelihood_terms(point, data)[1].sum(axis=1)
    numeric = np.empty_like(point)
    for k in range(len(point)):
        step = np.zeros_like(point)
        step[k] = 1e-6 * point[k]
        upper = total_log_likelihood(model, point + step, data)
        lower = total_log_likelihood(model, point - step, data)
        numeric[k] = (upper - lower) / (2 * step[k])
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)
