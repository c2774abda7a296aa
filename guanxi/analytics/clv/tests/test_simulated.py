"""Parameter recovery from data simulated with known parameters (fixed seeds)."""

from __future__ import annotations

import numpy as np
import pytest

from guanxi.analytics.clv import BetaGeoBetaBinomFitter, ModifiedBetaGeoFitter

# Fader, Hardie & Shang (2010)'s estimates on their donation data.
BGBB_TRUE = {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}


def simulate_bgbb(n_customers: int, n_periods: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    p = rng.beta(BGBB_TRUE["alpha"], BGBB_TRUE["beta"], n_customers)
    theta = rng.beta(BGBB_TRUE["gamma"], BGBB_TRUE["delta"], n_customers)
    alive = np.ones(n_customers, dtype=bool)
    frequency = np.zeros(n_customers)
    recency = np.zeros(n_customers)
    for period in range(1, n_periods + 1):
        alive &= rng.uniform(size=n_customers) >= theta  # may die before each opportunity
        bought = alive & (rng.uniform(size=n_customers) < p)
        frequency += bought
        recency[bought] = period
    return frequency, recency, np.full(n_customers, float(n_periods))


def simulate_mbgnbd(
    params: dict[str, float], n_customers: int, age: float, seed: int
) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    rate = rng.gamma(params["r"], 1 / params["alpha"], n_customers)
    dropout = rng.beta(params["a"], params["b"], n_customers)
    # MBG/NBD: a customer may drop out right after the first purchase, then after each repeat.
    alive = rng.uniform(size=n_customers) >= dropout
    clock = np.zeros(n_customers)
    frequency = np.zeros(n_customers)
    recency = np.zeros(n_customers)
    while alive.any():
        clock[alive] += rng.exponential(1 / rate[alive])
        alive &= clock <= age
        frequency[alive] += 1
        recency[alive] = clock[alive]
        alive &= rng.uniform(size=n_customers) >= dropout
    return frequency, recency, np.full(n_customers, age)


def test_bgbb_recovers_simulated_parameters() -> None:
    frequency, recency, n_periods = simulate_bgbb(40_000, 6, seed=1)
    model = BetaGeoBetaBinomFitter().fit(frequency, recency, n_periods)
    for name, value in BGBB_TRUE.items():
        assert model.params_[name] == pytest.approx(value, rel=0.15), name
    # The fitted model reproduces the observed frequency distribution.
    observed = np.bincount(frequency.astype(int), minlength=7) / len(frequency)
    predicted = model.probability_of_n_purchases_up_to_time(6, np.arange(7))
    np.testing.assert_allclose(predicted, observed, atol=0.01)


def test_bgbb_predictions_are_consistent() -> None:
    model = BetaGeoBetaBinomFitter()
    model.params_ = BGBB_TRUE
    pmf = model.probability_of_n_purchases_up_to_time(10, np.arange(11))
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)
    expected = model.expected_number_of_purchases_up_to_time(10)
    assert float(expected) == pytest.approx(float(np.arange(11) @ pmf), rel=1e-10)
    alive_now = model.conditional_probability_alive([3, 0], [5, 0], [6, 6])
    alive_later = model.conditional_probability_alive([3, 0], [5, 0], [6, 6], m_periods_in_future=5)
    assert np.all(alive_later < alive_now)
    assert alive_now[0] > alive_now[1]  # a recent, frequent donor is more likely alive


def test_mbgnbd_recovers_simulated_parameters() -> None:
    true = {"r": 0.5, "alpha": 6.0, "a": 0.9, "b": 1.6}
    frequency, recency, age = simulate_mbgnbd(true, 40_000, 52.0, seed=2)
    model = ModifiedBetaGeoFitter().fit(frequency, recency, age)
    for name, value in true.items():
        assert model.params_[name] == pytest.approx(value, rel=0.15), name
