"""Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves").

Each purchase's value is Gamma(p, nu) around the customer's own mean, and nu ~ Gamma(q, gamma)
across customers. Fitted on customers with at least one repeat purchase, with
``monetary_value`` = the mean value of their repeat purchases.
"""

from __future__ import annotations

from typing import Self

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import digamma, gammaln

from guanxi.analytics.clv.base import (
    BaseFitter,
    Counts,
    FloatArray,
    TransactionModel,
    as_array,
    check_non_negative,
    check_same_length,
    check_whole_numbers,
    validate_weights,
)
from guanxi.analytics.clv.clv import TimeUnit, customer_lifetime_value


def _validate_spend(
    frequency: ArrayLike, monetary_value: ArrayLike, *, fitting: bool
) -> tuple[FloatArray, FloatArray]:
    x = as_array("frequency", frequency)
    m = as_array("monetary_value", monetary_value)
    check_same_length(frequency=x, monetary_value=m)
    check_non_negative("frequency", x)
    check_whole_numbers("frequency", x)
    if fitting and np.any(x == 0):
        raise ValueError(
            f"Gamma-Gamma is fitted on repeat customers only: {int(np.sum(x == 0))} of "
            f"{len(x)} rows have frequency 0 (keep the rows with frequency > 0)"
        )
    if np.any(m[x > 0] <= 0):
        raise ValueError("monetary_value must be positive for customers with repeat purchases")
    return x, m


class GammaGammaFitter(BaseFitter):
    """Gamma-Gamma model; ``params_`` holds ``p``, ``q`` and ``gamma`` (Fader-Hardie's v).

    Example::

        spend = GammaGammaFitter().fit(frequency[frequency > 0], monetary[frequency > 0])
        spend.conditional_expected_average_profit(frequency, monetary)
    """

    _param_names = ("p", "q", "gamma")

    def fit(
        self, frequency: ArrayLike, monetary_value: ArrayLike, weights: ArrayLike | None = None
    ) -> Self:
        """Fit on repeat customers; ``weights`` counts the customers each row stands for."""
        x, m = _validate_spend(frequency, monetary_value, fitting=True)
        return self._fit([x, m], validate_weights(weights, len(x)))

    def _initial_params(self, data: FloatArray, weights: FloatArray) -> FloatArray:
        # p = 1, q = 2 makes the population mean spend p * gamma / (q - 1) equal to gamma.
        return np.array([1.0, 2.0, float(weights @ data[:, 1] / weights.sum())])

    def _log_likelihood_terms(
        self, params: FloatArray, data: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        p, q, gamma = params
        x, m = data.T
        counts = Counts(x)
        px = p * x
        log_x = counts.map(np.log)
        digamma_pxq = counts.map(lambda k: digamma(p * k + q))
        log_total = np.log(gamma + m * x)
        ll = (
            counts.map(lambda k: gammaln(p * k + q))
            - counts.map(lambda k: gammaln(p * k))
            - gammaln(q)
            + q * np.log(gamma)
            + (px - 1) * np.log(m)
            + px * log_x
            - (px + q) * log_total
        )
        grad = np.array(
            [
                x
                * (
                    digamma_pxq
                    - counts.map(lambda k: digamma(p * k))
                    + np.log(m)
                    + log_x
                    - log_total
                ),
                digamma_pxq - digamma(q) + np.log(gamma) - log_total,
                q / gamma - (px + q) / (gamma + m * x),
            ]
        )
        return ll, grad

    def conditional_expected_average_profit(
        self, frequency: ArrayLike, monetary_value: ArrayLike
    ) -> FloatArray:
        """Expected mean purchase value of each customer given their spend so far.

        A weighted average of the population mean and the customer's own mean, the latter
        weighing more the more repeat purchases it rests on; one-time buyers get the population
        mean (which needs q > 1).
        """
        p, q, gamma = self._fitted_params()
        x, m = _validate_spend(frequency, monetary_value, fitting=False)
        if q <= 1:
            raise ValueError(f"the fitted q = {q:.4g} <= 1: the mean spend is infinite")
        own = p * x / (p * x + q - 1)
        return (1 - own) * p * gamma / (q - 1) + own * m

    def customer_lifetime_value(
        self,
        transaction_model: TransactionModel,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        monetary_value: ArrayLike,
        time_horizon_months: int = 12,
        discount_rate: float = 0.01,
        time_unit: TimeUnit = "week",
    ) -> FloatArray:
        """Discounted CLV with each customer's spend from ``conditional_expected_average_profit``
        (see ``guanxi.analytics.clv.clv.customer_lifetime_value``)."""
        return customer_lifetime_value(
            transaction_model,
            frequency,
            recency,
            T,
            self.conditional_expected_average_profit(frequency, monetary_value),
            time_horizon_months=time_horizon_months,
            discount_rate=discount_rate,
            time_unit=time_unit,
        )
