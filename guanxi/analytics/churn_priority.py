"""Whom to call first: churn probability, value at risk and the call list.

A churn warning says that a customer may be leaving; it says neither whether losing them
matters nor how many calls a team can make, and the rules warn about far more customers
than anyone can call. This module turns the warnings into a list sized for the work:

``churn_probability``
    1 - P(alive) from the purchase model; null where the model gave no P(alive). With
    ``probability_col`` (the churn model's probability, when it validated well), that
    probability instead, and 1 - P(alive) for customers it did not judge.
``value_at_risk``
    ``churn_probability`` x the customer's value (``value_col`` of
    :class:`ChurnPriorityConfig`; by default ``revenue_12m``, what the customer brought in
    over the last year): the value expected to leave with the customer.
``churn_rank``
    Among customers with a churn warning, by value at risk, largest first (1 = call first;
    ties by value, then customer id; customers without a model value after the rest, by
    value). Null without a warning.
``churn_priority``
    The call list: the first ``ceil(list_share x customers)`` of that ranking (5 % of the
    customers judged by default), leaving out customers with nothing at risk (a value at
    risk of 0). Warnings beyond the list stay as lower-priority signals.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from guanxi.analytics.summary import require_columns

__all__ = ["ChurnPriorityConfig", "churn_priority"]


@dataclass(frozen=True)
class ChurnPriorityConfig:
    """How value at risk is measured and how long the call list is.

    Attributes:
        value_col: the customer value that churn puts at risk: a numeric per-customer
            column of the run (``revenue_12m``, ``total_revenue``, ``clv``, ...).
        list_share: the call list's length as a share of the customers judged (0-1].
    """

    value_col: str = "revenue_12m"
    list_share: float = 0.05

    def __post_init__(self) -> None:
        if not self.value_col:
            raise ValueError("value_col is empty")
        if not 0 < self.list_share <= 1:
            raise ValueError("list_share must be in (0, 1]")


def churn_priority(
    customers: ir.Table,
    *,
    config: ChurnPriorityConfig | None = None,
    customer_col: str = "customer_id",
    warning_col: str = "warning",
    p_alive_col: str = "p_alive",
    probability_col: str | None = None,
) -> ir.Table:
    """Churn probability, value at risk, rank and call list of every customer (see above).

    Args:
        customers: one row per customer judged, with ``<warning_col>`` (bool: a churn
            warning), ``<p_alive_col>`` and ``config.value_col``; the list's length is a
            share of its rows.
        config: value measure and list length (default :class:`ChurnPriorityConfig`).
        probability_col: a churn probability to use before 1 - P(alive) (see above).

    Returns:
        ``<customer_col>``, ``churn_probability``, ``value_at_risk``, ``churn_rank`` and
        ``churn_priority`` (bool).
    """
    cfg = config or ChurnPriorityConfig()
    require_columns(
        customers, customer_col, warning_col, p_alive_col, cfg.value_col, what="customers"
    )
    require_columns(customers, probability_col, what="customers")
    probability = 1.0 - customers[p_alive_col].cast("float64")
    if probability_col is not None:
        probability = customers[probability_col].cast("float64").fill_null(probability)
    t = customers.select(
        customer_col,
        _warned=customers[warning_col].fill_null(False),
        _value=customers[cfg.value_col].cast("float64"),
        churn_probability=probability,
    )
    t = t.mutate(value_at_risk=t.churn_probability * t._value)
    order = [
        ibis.desc(t.value_at_risk, nulls_first=False),
        ibis.desc(t._value, nulls_first=False),
        t[customer_col],
    ]
    position = ibis.row_number().over(group_by=t._warned, order_by=order) + 1
    size = (t._warned.count().over() * cfg.list_share).ceil()
    rank = ibis.ifelse(t._warned, position, ibis.null("int64"))
    at_risk = t.value_at_risk.fill_null(t._value).fill_null(0.0) > 0
    return t.select(
        customer_col,
        "churn_probability",
        "value_at_risk",
        churn_rank=rank.cast("int64"),
        churn_priority=(t._warned & (position <= size) & at_risk),
    )
