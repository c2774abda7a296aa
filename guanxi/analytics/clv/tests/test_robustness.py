"""Extreme customers, bad input, and the estimator contract, with warnings as errors."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pytest

from guanxi.analytics.clv import (
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    NotFittedError,
    ParetoNBDFitter,
)
from guanxi.analytics.clv.base import TransactionModel

TRANSACTION_MODELS = {
    BetaGeoFitter: {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    ModifiedBetaGeoFitter: {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614},
    ParetoNBDFitter: {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
}
# frequency, recency, T: heavy buyers, brand-new, one-timers, last seen now or long ago.
EXTREME = np.array(
    [
        [1000, 10000, 10000],
        [1000, 0, 10000],
        [1000, 5000, 10000],
        [1000, 1, 1],
        [0, 0, 0],
        [0, 0, 10000],
        [1, 10000, 10000],
        [1, 1e-9, 10000],
        [50, 30, 30],
        [0, 0, 1e-12],
    ]
).T


@pytest.fixture(autouse=True)
def warnings_are_errors() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def fitted(cls: type[TransactionModel]) -> TransactionModel:
    model = cls()
    model.params_ = TRANSACTION_MODELS[cls]
    return model


@pytest.mark.parametrize("cls", list(TRANSACTION_MODELS))
def test_extreme_customers_give_finite_predictions(cls: type[TransactionModel]) -> None:
    model = fitted(cls)
    alive = model.conditional_probability_alive(*EXTREME)
    assert np.all((alive >= 0) & (alive <= 1))
    for t in (0.0, 1.0, 52.0, 1e6):
        expected = model.conditional_expected_number_of_purchases_up_to_time(t, *EXTREME)
        assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    pmf = model.probability_of_n_purchases_up_to_time(52.0, np.arange(0, 1001))
    assert np.all(np.isfinite(pmf)) and pmf.sum() == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(model.probability_of_n_purchases_up_to_time(0.0, [0, 1]), [1, 0])


@pytest.mark.parametrize("cls", list(TRANSACTION_MODELS))
def test_extreme_customers_have_finite_likelihood(cls: type[TransactionModel]) -> None:
    params = np.array(list(TRANSACTION_MODELS[cls].values()))
    ll, grad = cls()._log_likelihood_terms(params, EXTREME.T.copy())
    assert np.all(np.isfinite(ll)) and np.all(np.isfinite(grad))


@pytest.mark.parametrize("cls", list(TRANSACTION_MODELS))
def test_fit_on_extreme_customers_does_not_warn(cls: type[TransactionModel]) -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.poisson(2, 200), [1000, 0, 1000]]).astype(float)
    age = np.concatenate([rng.uniform(10, 40, 200), [10000, 10000, 10000]])
    recency = np.where(x > 0, age * rng.uniform(0, 1, len(x)), 0.0)
    model = cls().fit(x, recency, age)
    assert np.isfinite(model.log_likelihood_)


def test_discrete_and_spend_models_on_extreme_customers() -> None:
    bgbb = BetaGeoBetaBinomFitter()
    bgbb.params_ = {"alpha": 1.2, "beta": 0.75, "gamma": 0.66, "delta": 2.78}
    x, t_x, n = [0, 1000, 1000, 1], [0, 1000, 10000, 1], [10000, 10000, 10000, 10000]
    assert np.all(np.isfinite(bgbb.conditional_probability_alive(x, t_x, n)))
    assert np.all(
        np.isfinite(bgbb.conditional_expected_number_of_purchases_up_to_time(52, x, t_x, n))
    )
    spend = GammaGammaFitter()
    spend.params_ = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    profit = spend.conditional_expected_average_profit([0, 1, 1000], [0.0, 1e-9, 1e9])
    assert np.all(np.isfinite(profit))


BAD_RFM = [
    ([-1, 2], [0, 1], [3, 3], "frequency must be non-negative"),
    ([1, 2], [4, 1], [3, 3], "recency must not exceed T"),
    ([1, np.nan], [1, 1], [3, 3], "frequency contains NaN"),
    ([1, 2], [1, 1], [3, np.inf], "T contains NaN or infinite"),
    ([], [], [], "frequency is empty"),
    ([1.5, 2], [1, 1], [3, 3], "whole numbers"),
    ([1, 2], [1, 1], [3], "same length"),
    ([1, 2], [-1, 1], [3, 3], "recency must be non-negative"),
    (["a", 2], [1, 1], [3, 3], "frequency must be numeric"),
]


@pytest.mark.parametrize("cls", list(TRANSACTION_MODELS))
@pytest.mark.parametrize(("frequency", "recency", "T", "message"), BAD_RFM)
def test_bad_input_is_a_clear_value_error(
    cls: type[TransactionModel], frequency: list, recency: list, T: list, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cls().fit(frequency, recency, T)
    with pytest.raises(ValueError, match=message):
        fitted(cls).conditional_probability_alive(frequency, recency, T)


def test_bad_weights_and_horizons() -> None:
    with pytest.raises(ValueError, match="weights has length"):
        BetaGeoFitter().fit([1, 2], [1, 1], [3, 3], weights=[1])
    with pytest.raises(ValueError, match="weights must not all be zero"):
        BetaGeoFitter().fit([1, 2], [1, 1], [3, 3], weights=[0, 0])
    with pytest.raises(ValueError, match="t must be finite and non-negative"):
        fitted(BetaGeoFitter).conditional_expected_number_of_purchases_up_to_time(-1, 1, 1, 2)
    with pytest.raises(ValueError, match="n must contain whole numbers"):
        fitted(ParetoNBDFitter).probability_of_n_purchases_up_to_time(10, 1.5)


def test_gammagamma_rejects_customers_without_repeat_purchases() -> None:
    with pytest.raises(ValueError, match="repeat customers only: 3 of 3 rows have frequency 0"):
        GammaGammaFitter().fit([0, 0, 0], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="monetary_value must be positive"):
        GammaGammaFitter().fit([1, 2], [10.0, -5.0])
    with pytest.raises(ValueError, match="monetary_value contains NaN"):
        GammaGammaFitter().fit([1, 2], [10.0, np.nan])


def test_bgbb_rejects_impossible_histories() -> None:
    with pytest.raises(ValueError, match="frequency must not exceed recency"):
        BetaGeoBetaBinomFitter().fit([3], [2], [6])
    with pytest.raises(ValueError, match="recency must not exceed n_periods"):
        BetaGeoBetaBinomFitter().fit([1], [7], [6])


@pytest.mark.parametrize(
    ("model", "call"),
    [
        (BetaGeoFitter(), lambda m: m.conditional_probability_alive([1], [1], [2])),
        (ParetoNBDFitter(), lambda m: m.expected_number_of_purchases_up_to_time(10)),
        (ModifiedBetaGeoFitter(), lambda m: m.probability_of_n_purchases_up_to_time(10, 1)),
        (BetaGeoBetaBinomFitter(), lambda m: m.conditional_probability_alive([1], [1], [2])),
        (GammaGammaFitter(), lambda m: m.conditional_expected_average_profit([1], [2.0])),
    ],
)
def test_predicting_before_fit_raises_not_fitted(model: object, call) -> None:
    with pytest.raises(NotFittedError, match="not fitted yet; call 'fit'"):
        call(model)


def test_estimator_contract() -> None:
    model = BetaGeoFitter(penalizer_coef=0.1)
    assert model.get_params() == {"penalizer_coef": 0.1}
    assert model.set_params(penalizer_coef=0.0) is model and model.penalizer_coef == 0.0
    assert repr(model) == "BetaGeoFitter(penalizer_coef=0.0)"
    with pytest.raises(ValueError, match="invalid parameter"):
        model.set_params(alpha=1)
    assert model.fit([1, 0, 3], [2, 0, 5], [6, 4, 8]) is model
    assert set(model.params_) == {"r", "alpha", "a", "b"}


def test_weights_are_customer_counts(cdnow) -> None:
    rows = cdnow[["frequency", "recency", "T"]].to_numpy()
    unique, counts = np.unique(rows, axis=0, return_counts=True)
    frequency, recency, age = unique.T
    weighted = ParetoNBDFitter().fit(frequency, recency, age, weights=counts)
    plain = ParetoNBDFitter().fit(*rows.T)
    assert weighted.n_customers_ == plain.n_customers_ == 2357
    assert weighted.log_likelihood_ == pytest.approx(plain.log_likelihood_, rel=1e-10)


def test_penalizer_shrinks_parameters(cdnow) -> None:
    data = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    plain = BetaGeoFitter().fit(*data)
    penalised = BetaGeoFitter(penalizer_coef=0.01).fit(*data)
    assert penalised.params_["alpha"] < plain.params_["alpha"]
