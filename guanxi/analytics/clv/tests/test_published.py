"""CDNOW results: published estimates (Fader, Hardie & Lee 2005; Fader & Hardie's Pareto/NBD
note) to three significant figures, and predictions cross-checked against lifetimes 0.11.3."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from guanxi.analytics.clv import (
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
)


def sig3(value: float) -> float:
    return float(f"{value:.3g}")


def assert_published(params: dict[str, float], published: dict[str, float]) -> None:
    for name, value in published.items():
        assert sig3(params[name]) == sig3(value), (name, params[name], value)


def rfm(summary: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    return summary["frequency"], summary["recency"], summary["T"]


@pytest.fixture(scope="module")
def bgnbd(cdnow: pd.DataFrame) -> BetaGeoFitter:
    return BetaGeoFitter().fit(*rfm(cdnow))


@pytest.fixture(scope="module")
def paretonbd(cdnow: pd.DataFrame) -> ParetoNBDFitter:
    return ParetoNBDFitter().fit(*rfm(cdnow))


def test_cdnow_summary_matches_the_papers_counts(cdnow: pd.DataFrame) -> None:
    assert len(cdnow) == 2357
    assert cdnow["frequency"].sum() == 2457
    assert (cdnow["frequency"] > 0).sum() == 946


def test_bgnbd_reproduces_fader_hardie_lee_2005(bgnbd: BetaGeoFitter) -> None:
    assert_published(bgnbd.params_, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    assert bgnbd.log_likelihood_ == pytest.approx(-9582.4, abs=0.05)
    assert bgnbd.n_customers_ == 2357


def test_paretonbd_reproduces_fader_hardie(paretonbd: ParetoNBDFitter) -> None:
    assert_published(paretonbd.params_, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669})
    assert paretonbd.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)


def test_gammagamma_reproduces_fader_hardie_lee_2005(cdnow: pd.DataFrame) -> None:
    repeat = cdnow[cdnow["frequency"] > 0]
    model = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    assert_published(model.params_, {"p": 6.25, "q": 3.74, "gamma": 15.44})
    assert model.n_customers_ == 946
    # lifetimes 0.11.3 on the same data
    expected = [24.653919, 35.170371, 18.910018, 35.170371, 35.170371]
    got = model.conditional_expected_average_profit(
        cdnow["frequency"][:5], cdnow["monetary_value"][:5]
    )
    np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_mbgnbd_matches_lifetimes_on_cdnow(cdnow: pd.DataFrame) -> None:
    model = ModifiedBetaGeoFitter().fit(*rfm(cdnow))
    lifetimes = {"r": 0.524843, "alpha": 6.183082, "a": 0.891360, "b": 1.614003}
    for name, value in lifetimes.items():
        assert model.params_[name] == pytest.approx(value, rel=1e-4)
    head = [column[:5] for column in rfm(cdnow)]
    np.testing.assert_allclose(
        model.conditional_probability_alive(*head),
        [0.70613849, 0.39091723, 0.17095108, 0.3897232, 0.40271758],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        model.conditional_expected_number_of_purchases_up_to_time(39, *head),
        [1.262759, 0.155744, 0.188945, 0.153966, 0.174209],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        model.expected_number_of_purchases_up_to_time([10, 39, 78]),
        [0.43325101, 1.18227985, 1.80363052],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        model.probability_of_n_purchases_up_to_time(39, [0, 1, 2, 3]),
        [0.58260505, 0.18276394, 0.08687084, 0.04855082],
        rtol=1e-5,
    )
    # MBG/NBD fits CDNOW slightly better than BG/NBD (one more way to explain one-timers).
    assert -9582.4 < model.log_likelihood_ < -9570


def test_bgnbd_predictions_match_lifetimes(bgnbd: BetaGeoFitter, cdnow: pd.DataFrame) -> None:
    head = [column[:5] for column in rfm(cdnow)]
    np.testing.assert_allclose(
        bgnbd.conditional_probability_alive(*head),
        [0.72662031, 1.0, 0.21239104, 1.0, 1.0],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        bgnbd.conditional_expected_number_of_purchases_up_to_time(39, *head),
        [1.225994, 0.196549, 0.203419, 0.194794, 0.214616],
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        bgnbd.expected_number_of_purchases_up_to_time([10, 39, 78]),
        [0.43175867, 1.19500997, 1.85795832],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        bgnbd.probability_of_n_purchases_up_to_time(39, [0, 1, 2, 3]),
        [0.57430716, 0.19919254, 0.08532292, 0.04579756],
        rtol=1e-6,
    )


def test_paretonbd_predictions_match_lifetimes(
    paretonbd: ParetoNBDFitter, cdnow: pd.DataFrame
) -> None:
    # lifetimes stops its optimiser a little earlier, hence the looser tolerance.
    head = [column[:5] for column in rfm(cdnow)]
    np.testing.assert_allclose(
        paretonbd.conditional_probability_alive(*head),
        [0.869139, 0.297656, 0.168000, 0.295121, 0.323394],
        rtol=1e-4,
    )
    np.testing.assert_allclose(
        paretonbd.conditional_expected_number_of_purchases_up_to_time(39, *head),
        [1.455225, 0.108798, 0.171120, 0.107073, 0.127068],
        rtol=1e-4,
    )
    np.testing.assert_allclose(
        paretonbd.expected_number_of_purchases_up_to_time([10, 39, 78]),
        [0.42779841, 1.21342684, 1.90991708],
        rtol=1e-4,
    )


def test_paretonbd_pmf_matches_numerical_integration(paretonbd: ParetoNBDFitter) -> None:
    from scipy.integrate import quad
    from scipy.special import gammaln

    r, alpha, s, beta = (paretonbd.params_[k] for k in ("r", "alpha", "s", "beta"))
    t = 39.0

    def nbd_pmf(n: int, u: float) -> float:
        return np.exp(
            gammaln(r + n)
            - gammaln(r)
            - gammaln(n + 1)
            + r * np.log(alpha / (alpha + u))
            + n * np.log(u / (alpha + u))
        )

    def death_density(u: float) -> float:
        return s / beta * (beta / (beta + u)) ** (s + 1)

    for n in range(6):
        died = quad(lambda u, n=n: nbd_pmf(n, u) * death_density(u), 0, t, epsabs=1e-13)[0]
        alive = nbd_pmf(n, t) * (beta / (beta + t)) ** s
        assert paretonbd.probability_of_n_purchases_up_to_time(t, n) == pytest.approx(
            alive + died, rel=1e-7
        )
    assert paretonbd.probability_of_n_purchases_up_to_time(t, np.arange(400)).sum() == (
        pytest.approx(1.0, abs=1e-9)
    )
