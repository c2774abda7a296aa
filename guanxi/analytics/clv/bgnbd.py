"""BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way").

While alive a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); after
each repeat purchase they drop out for good with probability p ~ Beta(a, b).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betainc, betaln, digamma, expit, gammaln, hyp2f1, xlogy

from guanxi.analytics.clv.base import (
    Counts,
    FloatArray,
    TransactionModel,
    distinct_rows,
    validate_counts,
    validate_horizon,
    validate_rfm,
)


class BetaGeoFitter(TransactionModel):
    """BG/NBD model; ``params_`` holds ``r``, ``alpha`` (purchase rate) and ``a``, ``b`` (dropout).

    Example::

        model = BetaGeoFitter().fit(frequency, recency, T)
        model.conditional_probability_alive(frequency, recency, T)
    """

    _param_names = ("r", "alpha", "a", "b")
    # Number of dropout chances before the first repeat purchase: none in BG/NBD, one (right
    # after the first purchase) in MBG/NBD. Every formula of both models shifts b + x by it.
    _dropout_shift: ClassVar[int] = 0

    def _initial_params(self, data: FloatArray, weights: FloatArray) -> FloatArray:
        return np.array([1.0, self._time_scale(data, weights), 1.0, 1.0])

    def _log_odds_dropped(
        self, params: FloatArray, x: FloatArray, t_x: FloatArray, age: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """log P(dropped after the last purchase, data) - log P(alive at T, data); and the mask
        of customers who could have dropped at all (the others are certainly alive)."""
        r, alpha, a, b = params
        can_drop = (x + self._dropout_shift) > 0
        b_before = np.where(can_drop, b + x + self._dropout_shift - 1, 1.0)
        log_odds = (
            np.log(a) - np.log(b_before) + (r + x) * (np.log(alpha + age) - np.log(alpha + t_x))
        )
        return np.where(can_drop, log_odds, -np.inf), b_before

    def _log_likelihood_terms(
        self, params: FloatArray, data: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        r, alpha, a, b = params
        x, t_x, age = data.T
        shift = self._dropout_shift
        counts = Counts(x)
        log_odds, b_before = self._log_odds_dropped(params, x, t_x, age)
        # Likelihood = P(alive at T) * (1 + odds); the weights split it between the two cases.
        w_dead = expit(log_odds)
        w_alive = 1.0 - w_dead
        digamma_ab_x = counts.map(lambda k: digamma(a + (b + k + shift)))
        log_alive = (
            counts.map(lambda k: gammaln(r + k))
            - gammaln(r)
            + r * np.log(alpha)
            - (r + x) * np.log(alpha + age)
            + counts.map(lambda k: betaln(a, b + k + shift))
            - betaln(a, b)
        )
        ll = log_alive + np.logaddexp(0.0, log_odds)
        grad = np.array(
            [
                counts.map(lambda k: digamma(r + k))
                - digamma(r)
                + np.log(alpha)
                - w_alive * np.log(alpha + age)
                - w_dead * np.log(alpha + t_x),
                r / alpha - (r + x) * (w_alive / (alpha + age) + w_dead / (alpha + t_x)),
                digamma(a + b) - digamma_ab_x + w_dead / a,
                counts.map(lambda k: digamma(b + k + shift))
                - digamma_ab_x
                - digamma(b)
                + digamma(a + b)
                - w_dead / b_before,
            ]
        )
        return ll, grad

    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Probability that each customer is still alive at the end of their observation."""
        params = self._fitted_params()
        log_odds, _ = self._log_odds_dropped(params, *validate_rfm(frequency, recency, T))
        return expit(-log_odds)

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Expected purchases in (T, T + t] given each customer's history (FHL 2005, eq. 10)."""
        r, alpha, a, b = params = self._fitted_params()
        horizon = validate_horizon("t", t)
        x, t_x, age = validate_rfm(frequency, recency, T)
        log_odds, _ = self._log_odds_dropped(params, x, t_x, age)
        index = None
        if horizon.size > 1 and horizon.shape[-1] == 1:  # several horizons, each for everyone
            # Given alive, the expectation depends on (x, T) alone: a million customers have
            # some tens of thousands of distinct pairs, and the hypergeometric function per
            # customer and month was most of a run's CLV. (For one horizon the sort costs more.)
            pairs, index = distinct_rows([x, age])
            x, age = pairs[:, 0], pairs[:, 1]
        shifted = a + b + x + self._dropout_shift - 1
        z = horizon / (alpha + age + horizon)
        log_1mz = np.log(alpha + age) - np.log(alpha + age + horizon)
        # Euler's transformation turns 2F1(r+x, b+x; ..; z) (1-z)^(r+x), whose factors overflow
        # and underflow for heavy buyers, into a series with parameters independent of r + x.
        hyp = hyp2f1(shifted - r - x, a - 1, shifted, z)
        bracket = -np.expm1((a - 1) * log_1mz) - np.exp((a - 1) * log_1mz) * (hyp - 1)
        given_alive = shifted / (a - 1) * bracket
        if index is not None:
            given_alive = given_alive[..., index]
        return given_alive * expit(-log_odds)

    def probability_of_n_purchases_up_to_time(self, t: ArrayLike, n: ArrayLike) -> FloatArray:
        """P(X(t) = n): probability that a new customer makes n repeat purchases in (0, t]."""
        r, alpha, a, b = self._fitted_params()
        horizon, count = np.broadcast_arrays(validate_horizon("t", t), validate_counts("n", n))
        q = horizon / (alpha + horizon)
        log_nb_pmf = (
            gammaln(r + count)
            - gammaln(r)
            - gammaln(count + 1)
            + r * (np.log(alpha) - np.log(alpha + horizon))
            + xlogy(count, q)
        )
        alive = np.exp(betaln(a, b + count + self._dropout_shift) - betaln(a, b) + log_nb_pmf)
        # Dropped after the n-th purchase: needs at least n Poisson events, P(NB >= n).
        can_drop = (count + self._dropout_shift) > 0
        b_before = np.where(can_drop, b + count + self._dropout_shift - 1, b)
        at_least_n = np.where(count > 0, betainc(np.maximum(count, 1), r, q), 1.0)
        dropped = np.exp(betaln(a + 1, b_before) - betaln(a, b)) * at_least_n
        return alive + np.where(can_drop, dropped, 0.0)
