"""BG/BB model for discrete transaction opportunities (Fader, Hardie & Shang 2010).

At each of n opportunities (yearly donations, annual events) an alive customer transacts with
probability p ~ Beta(alpha, beta); before each opportunity they may die with probability
theta ~ Beta(gamma, delta). Data per customer: frequency x (transactions after the first),
recency t_x (the opportunity of the last one, 0 if none) and n_periods n.
"""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaln, digamma, gammaln, logsumexp

from guanxi.analytics.clv.base import (
    BaseFitter,
    FloatArray,
    check_whole_numbers,
    validate_counts,
    validate_rfm,
    validate_weights,
)


def _validate_discrete(
    frequency: ArrayLike, recency: ArrayLike, n_periods: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x, t_x, n = validate_rfm(frequency, recency, n_periods, age_name="n_periods")
    check_whole_numbers("recency", t_x)
    check_whole_numbers("n_periods", n)
    if np.any(x > t_x):
        raise ValueError("frequency must not exceed recency (one transaction per opportunity)")
    return x, t_x, n


def _log_beta_ratio_grad(a: FloatArray, b: FloatArray, a0: float, b0: float) -> FloatArray:
    """Gradient in (a0, b0) of log B(a, b) - log B(a0, b0) where a - a0 and b - b0 are fixed."""
    return np.array(
        [
            digamma(a) - digamma(a + b) - digamma(a0) + digamma(a0 + b0),
            digamma(b) - digamma(a + b) - digamma(b0) + digamma(a0 + b0),
        ]
    )


class BetaGeoBetaBinomFitter(BaseFitter):
    """BG/BB model; ``params_`` holds ``alpha``, ``beta`` (transacting), ``gamma``, ``delta``
    (dying)."""

    _param_names = ("alpha", "beta", "gamma", "delta")

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        n_periods: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> Self:
        """Fit by maximum likelihood; ``weights`` counts the customers each row stands for."""
        x, t_x, n = _validate_discrete(frequency, recency, n_periods)
        return self._fit([x, t_x, n], validate_weights(weights, len(x)))

    def _initial_params(self, data: FloatArray, weights: FloatArray) -> FloatArray:
        return np.ones(4)

    @staticmethod
    def _terms(
        params: FloatArray, x: FloatArray, t_x: FloatArray, n: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Log-probability of each way the data can arise, with gradients.

        Column 0: alive through all n opportunities; column 1 + i: died just before opportunity
        t_x + i + 1 (i = 0 .. n - t_x - 1), masked to -inf beyond a customer's own n.
        Shapes (rows, cols) and (4, rows, cols).
        """
        alpha, beta, gamma, delta = params
        i = np.arange(int(np.max(n - t_x)))
        seen = np.concatenate([n[:, None], t_x[:, None] + i[None, :]], axis=1)
        died = np.concatenate([np.zeros((len(x), 1)), np.ones((len(x), len(i)))], axis=1)
        x = x[:, None]
        log_terms = (
            betaln(alpha + x, beta + seen - x)
            - betaln(alpha, beta)
            + betaln(gamma + died, delta + seen)
            - betaln(gamma, delta)
        )
        in_range = np.concatenate([np.ones((len(x), 1), bool), i[None, :] < (n - t_x)[:, None]], 1)
        grad = np.concatenate(
            [
                _log_beta_ratio_grad(alpha + x, beta + seen - x, alpha, beta),
                _log_beta_ratio_grad(gamma + died, delta + seen, gamma, delta),
            ]
        )
        return np.where(in_range, log_terms, -np.inf), grad

    def _log_likelihood_terms(
        self, params: FloatArray, data: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        log_terms, grad = self._terms(params, *data.T)
        ll = logsumexp(log_terms, axis=1)
        shares = np.exp(log_terms - ll[:, None])
        return ll, np.sum(grad * shares, axis=2)

    def conditional_probability_alive(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        n_periods: ArrayLike,
        m_periods_in_future: ArrayLike = 0,
    ) -> FloatArray:
        """Probability that each customer is alive ``m_periods_in_future`` opportunities after
        the last observed one (m = 0: alive at opportunity n)."""
        params = self._fitted_params()
        x, t_x, n = _validate_discrete(frequency, recency, n_periods)
        m = validate_counts("m_periods_in_future", m_periods_in_future)
        _, _, gamma, delta = params
        log_terms, _ = self._terms(params, x, t_x, n)
        log_alive_future = log_terms[:, 0] + betaln(gamma, delta + n + m) - betaln(gamma, delta + n)
        return np.exp(log_alive_future - logsumexp(log_terms, axis=1))

    def conditional_expected_number_of_purchases_up_to_time(
        self, m_periods: ArrayLike, frequency: ArrayLike, recency: ArrayLike, n_periods: ArrayLike
    ) -> FloatArray:
        """Expected transactions in the next ``m_periods`` opportunities (FHS 2010, eq. 13)."""
        alpha, beta, gamma, delta = params = self._fitted_params()
        m = validate_counts("m_periods", m_periods)
        x, t_x, n = _validate_discrete(frequency, recency, n_periods)
        log_terms, _ = self._terms(params, x, t_x, n)

        def log_ratio(k: FloatArray) -> FloatArray:  # log Gamma(1+delta+k) / Gamma(gamma+delta+k)
            return gammaln(1 + delta + k) - gammaln(gamma + delta + k)

        # [ratio(n) - ratio(n+m)] / (gamma - 1), written to stay accurate for small m.
        survival = -np.expm1(log_ratio(n + m) - log_ratio(n)) / (gamma - 1)
        log_prefix = (
            betaln(alpha + x + 1, beta + n - x)
            - betaln(alpha, beta)
            - logsumexp(log_terms, axis=1)
            + np.log(delta)
            + gammaln(gamma + delta)
            - gammaln(1 + delta)
            + log_ratio(n)
        )
        return np.exp(log_prefix) * survival

    def expected_number_of_purchases_up_to_time(self, m_periods: ArrayLike) -> FloatArray:
        """Expected transactions of a new customer in their first ``m_periods`` opportunities."""
        expected = self.conditional_expected_number_of_purchases_up_to_time(m_periods, 0, 0, 0)
        return expected.reshape(np.shape(m_periods))

    def probability_of_n_purchases_up_to_time(
        self, m_periods: ArrayLike, n: ArrayLike
    ) -> FloatArray:
        """P(X(m) = n): a new customer transacts at n of their first m opportunities (FHS eq. 7)."""
        alpha, beta, gamma, delta = self._fitted_params()
        periods, count = np.broadcast_arrays(
            validate_counts("m_periods", m_periods), validate_counts("n", n)
        )
        # Died just before opportunity i + 1 (i = n .. m-1), or alive through all m of them.
        i = np.arange(int(periods.max()) + 1).reshape((-1,) + (1,) * periods.ndim)
        alive = i == periods
        in_range = (i >= count) & (i <= periods)
        seen = np.where(in_range, i, count)
        log_terms = (
            gammaln(seen + 1)
            - gammaln(count + 1)
            - gammaln(seen - count + 1)
            + betaln(alpha + count, beta + seen - count)
            - betaln(alpha, beta)
            + betaln(gamma + np.where(alive, 0.0, 1.0), delta + seen)
            - betaln(gamma, delta)
        )
        return np.exp(logsumexp(np.where(in_range, log_terms, -np.inf), axis=0))
