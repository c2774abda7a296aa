"""Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987).

While alive a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha) and dies
after an exponential lifetime with rate mu ~ Gamma(s, beta). The likelihood follows Fader &
Hardie's note "A Note on Deriving the Pareto/NBD Model and Related Expressions" (2005).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import betaln, digamma, gammaln, hyp2f1, logsumexp, xlogy

from guanxi.analytics.clv._numerics import hyp2f1_unit_a, log1mexp
from guanxi.analytics.clv.base import (
    FloatArray,
    TransactionModel,
    validate_counts,
    validate_horizon,
    validate_rfm,
)


def _log_tail(params: FloatArray, x: FloatArray, t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """log J(t) and its gradient in (r, alpha, s, beta), where
    J(t) = integral over (t, inf) of (alpha + u)^-(r+x) (beta + u)^-(s+1) du.

    J(t) is a 2F1 with c = a + 1; Euler's transformation rewrites it as
    (alpha+t)^-p (beta+t)^-q 2F1(1, b; r+s+x+1; z) / (r+s+x) with 0 <= z < 1, a series of
    positive terms whose derivatives in b and c are summed alongside (see ``hyp2f1_unit_a``).
    Which of alpha, beta is larger decides the form that keeps z in [0, 1).
    """
    r, alpha, s, beta = params
    n_events = r + s + x
    if alpha >= beta:
        z = (alpha - beta) / (alpha + t)
        hyp = hyp2f1_unit_a(r + x, n_events + 1, z)
        p, q = r + x, s
        dz_dalpha, dz_dbeta = (beta + t) / (alpha + t) ** 2, -1.0 / (alpha + t)
        dhyp_dr, dhyp_ds = hyp.d_b + hyp.d_c, hyp.d_c
    else:
        z = (beta - alpha) / (beta + t)
        hyp = hyp2f1_unit_a(s + 1, n_events + 1, z)
        p, q = r + x - 1, s + 1
        dz_dalpha, dz_dbeta = -1.0 / (beta + t), (alpha + t) / (beta + t) ** 2
        dhyp_dr, dhyp_ds = hyp.d_c, hyp.d_b + hyp.d_c
    log_a, log_b = np.log(alpha + t), np.log(beta + t)
    log_j = -p * log_a - q * log_b - np.log(n_events) + np.log(hyp.value)
    grad = np.array(
        [
            -log_a - 1.0 / n_events + dhyp_dr / hyp.value,
            -p / (alpha + t) + hyp.d_z / hyp.value * dz_dalpha,
            -log_b - 1.0 / n_events + dhyp_ds / hyp.value,
            -q / (beta + t) + hyp.d_z / hyp.value * dz_dbeta,
        ]
    )
    return log_j, grad


class ParetoNBDFitter(TransactionModel):
    """Pareto/NBD model; ``params_`` holds ``r``, ``alpha`` (purchases), ``s``, ``beta`` (death).

    Example::

        model = ParetoNBDFitter().fit(frequency, recency, T)
        model.conditional_expected_number_of_purchases_up_to_time(52, frequency, recency, T)
    """

    _param_names = ("r", "alpha", "s", "beta")

    def _initial_params(self, data: FloatArray, weights: FloatArray) -> FloatArray:
        scale = self._time_scale(data, weights)
        return np.array([1.0, scale, 1.0, scale])

    @staticmethod
    def _log_bracket(
        params: FloatArray, x: FloatArray, t_x: FloatArray, age: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """The likelihood divided by Gamma(r+x) alpha^r beta^s / Gamma(r), in logs.

        It is alive(T) + s (J(t_x) - J(T)): alive at T, or died between the last purchase and
        T. Returns its log, log alive(T), and its gradient. The difference of J is taken in
        log space (log1mexp) because both terms underflow for heavy buyers.
        """
        r, alpha, s, beta = params
        log_alive = -(r + x) * np.log(alpha + age) - s * np.log(beta + age)
        d_alive = np.array(
            [-np.log(alpha + age), -(r + x) / (alpha + age), -np.log(beta + age), -s / (beta + age)]
        )
        log_j_last, d_j_last = _log_tail(params, x, t_x)
        log_j_end, d_j_end = _log_tail(params, x, age)
        log_died = np.log(s) + log_j_last + log1mexp(log_j_end - log_j_last)
        log_total = np.logaddexp(log_alive, log_died)
        # Each part's share of the total weighs its gradient; the shares are at most 1, so the
        # near-cancelling J terms of customers seen recently cannot blow the gradient up.
        share_last = np.exp(np.log(s) + log_j_last - log_total)
        share_end = np.exp(np.log(s) + log_j_end - log_total)
        d_log_s = np.array([0.0, 0.0, 1.0 / s, 0.0])[:, None]
        grad = (
            np.exp(log_alive - log_total) * d_alive
            + share_last * (d_j_last + d_log_s)
            - share_end * (d_j_end + d_log_s)
        )
        return log_total, log_alive, grad

    def _log_likelihood_terms(
        self, params: FloatArray, data: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        r, alpha, s, beta = params
        x, t_x, age = data.T
        log_total, _, d_total = self._log_bracket(params, x, t_x, age)
        ll = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta) + log_total
        d_r = digamma(r + x) - digamma(r) + np.log(alpha)
        d_const = np.array(
            [
                d_r,
                np.full_like(x, r / alpha),
                np.full_like(x, np.log(beta)),
                np.full_like(x, s / beta),
            ]
        )
        return ll, d_const + d_total

    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Probability that each customer is still alive at the end of their observation."""
        params = self._fitted_params()
        log_total, log_alive, _ = self._log_bracket(params, *validate_rfm(frequency, recency, T))
        return np.exp(log_alive - log_total)

    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Expected purchases in (T, T + t] given each customer's history (FH 2005, eq. 22)."""
        r, alpha, s, beta = params = self._fitted_params()
        horizon = validate_horizon("t", t)
        x, t_x, age = validate_rfm(frequency, recency, T)
        log_total, log_alive, _ = self._log_bracket(params, x, t_x, age)
        log_growth = np.log1p(horizon / (beta + age))
        # (1 - ((beta+T)/(beta+T+t))^(s-1)) / (s-1), with its s -> 1 limit log((beta+T+t)/(beta+T))
        lifetime = log_growth if s == 1 else -np.expm1(-(s - 1) * log_growth) / (s - 1)
        rate = (r + x) * (beta + age) / (alpha + age)
        return rate * lifetime * np.exp(log_alive - log_total)

    def probability_of_n_purchases_up_to_time(self, t: ArrayLike, n: ArrayLike) -> FloatArray:
        """P(X(t) = n) for a new customer (Fader & Hardie 2006, "Deriving an Expression for
        P(X(t) = x) Under the Pareto/NBD Model"), summed in log space with signs."""
        r, alpha, s, beta = self._fitted_params()
        horizon, count = np.broadcast_arrays(validate_horizon("t", t), validate_counts("n", n))
        log_t = np.log(np.where(horizon > 0, horizon, 1.0))
        alive = np.exp(
            gammaln(r + count)
            - gammaln(r)
            - gammaln(count + 1)
            + r * (np.log(alpha) - np.log(alpha + horizon))
            + xlogy(count, horizon / (alpha + horizon))
            + s * (np.log(beta) - np.log(beta + horizon))
        )
        big, b_arg = (alpha, s + 1) if alpha >= beta else (beta, r + count)
        c_arg = r + s + count + 1
        log_b1 = np.log(hyp2f1(r + s, b_arg, c_arg, abs(alpha - beta) / big)) - (r + s) * np.log(
            big
        )
        # Terms j = 0..n of each customer; j is clipped to n so the masked-out ones stay finite.
        j = np.arange(int(count.max()) + 1).reshape((-1,) + (1,) * count.ndim)
        in_sum = j <= count
        j = np.minimum(j, count)
        log_b2 = (
            gammaln(r + s + j)
            - gammaln(r + s)
            - gammaln(j + 1)
            + j * log_t
            + np.log(hyp2f1(r + s + j, b_arg, c_arg, abs(alpha - beta) / (big + horizon)))
            - (r + s + j) * np.log(big + horizon)
        )
        signs = np.concatenate([np.ones((1,) + count.shape), -in_sum.astype(np.float64)])
        log_died, sign = logsumexp(
            np.concatenate([log_b1[None], log_b2]), axis=0, b=signs, return_sign=True
        )
        log_scale = r * np.log(alpha) + s * np.log(beta) + betaln(r + count, s + 1) - betaln(r, s)
        # The two hypergeometric sums cancel as t -> 0; rounding must not make P negative.
        died = np.maximum(sign * np.exp(log_scale + log_died), 0.0)
        return alive + np.where(horizon > 0, died, 0.0)
