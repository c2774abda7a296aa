"""Discounted customer lifetime value from a fitted purchase model and a spend estimate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike

from guanxi.analytics.clv.base import FloatArray, as_array, validate_rfm

if TYPE_CHECKING:
    from guanxi.analytics.clv.base import TransactionModel

TimeUnit = Literal["day", "week", "month"]
# Model time units in an average Gregorian month (365.2425 / 12 days).
UNITS_PER_MONTH: dict[str, float] = {"day": 30.436875, "week": 30.436875 / 7, "month": 1.0}


def customer_lifetime_value(
    transaction_model: TransactionModel,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    monetary_value: ArrayLike,
    time_horizon_months: int = 12,
    discount_rate: float = 0.01,
    time_unit: TimeUnit = "week",
) -> FloatArray:
    """Present value of each customer's purchases over the next ``time_horizon_months``.

    Sum over months i of E[purchases in month i] * monetary_value / (1 + discount_rate)^i,
    the monthly discounting of Fader, Hardie & Lee (2005) and ``lifetimes``. ``time_unit`` is
    the unit of recency and T the model was fitted in; ``discount_rate`` is monthly.
    """
    if time_unit not in UNITS_PER_MONTH:
        raise ValueError(f"time_unit must be one of {sorted(UNITS_PER_MONTH)}, got {time_unit!r}")
    if int(time_horizon_months) != time_horizon_months or time_horizon_months < 1:
        raise ValueError("time_horizon_months must be a positive whole number")
    if not np.isfinite(discount_rate) or discount_rate <= -1:
        raise ValueError("discount_rate must be a finite monthly rate above -1")
    x, t_x, age = validate_rfm(frequency, recency, T)
    value = as_array("monetary_value", monetary_value)
    if len(value) != len(x):
        raise ValueError(f"monetary_value has length {len(value)}, expected {len(x)}")
    months = np.arange(int(time_horizon_months) + 1, dtype=np.float64)
    # One vectorised call for all month ends: rows are months, columns customers.
    cumulative = transaction_model.conditional_expected_number_of_purchases_up_to_time(
        months[:, None] * UNITS_PER_MONTH[time_unit], x, t_x, age
    )
    discount = (1.0 + discount_rate) ** -months[1:]
    return value * (discount @ np.diff(cumulative, axis=0))
