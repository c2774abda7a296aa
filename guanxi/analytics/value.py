"""What a customer is worth, measured the way the industry measures it.

A bank judges a customer by the assets it manages for them (AUM: deposit and wealth
balances; loans are owed, not owned, and kept apart) and by the profit they leave after the
cost of serving them; a telecom operator by the monthly bill and the time on the network.
:class:`ValueProfile` names one *value measure* per industry; the value tier, the
pyramid's value axis, the score's value part and the value a churning customer puts at risk
all use it, so their labels agree.

:func:`value_measures` computes every measure per customer from the trailing window of the
transaction log (with each row's product kind and channel) and the balances held:

``aum``
    sum of open balances of the profile's asset kinds (deposit, wealth).
``loans``
    sum of open balances of the loan kinds.
``monthly_spend``
    revenue of the window divided by the months of it the customer has been a customer
    (at least one): a customer of three months is not a twelfth of a yearly one.
``tenure_months``
    months since the first purchase.
``margin_12m``
    what the bank or operator earns: each transaction's amount times its product kind's
    margin, plus each balance times its kind's yearly margin (the interest margin on
    deposits, the management fee on wealth products).
``cost_12m``
    cost to serve: each transaction's channel cost (a teller transaction costs far more than
    a mobile one) plus each product held's yearly servicing cost.
``profit_12m``
    ``margin_12m - cost_12m``; ``unprofitable`` when below 0. The literature on customer
    profitability (the "whale curve") finds the top fifth of customers earning many times
    their cost and the bottom fifth costing several times what they bring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from guanxi.analytics.summary import require_columns

__all__ = [
    "MEASURES",
    "PROFILES",
    "ServingCosts",
    "ValueProfile",
    "value_measures",
]

MEASURES: dict[str, tuple[str, str]] = {
    "aum": ("AUM", "管理资产"),
    "profit_12m": ("Profit, last 12 months", "近12个月利润"),
    "revenue_12m": ("Revenue, last 12 months", "近12个月收入"),
    "monthly_spend": ("Monthly spend", "月均消费"),
    "tenure_months": ("Months as a customer", "在网月数"),
    "clv": ("Customer lifetime value", "客户终身价值"),
}
"""Value measure -> (English, Chinese) name, for texts outside Django."""

MONEY_MEASURES = ("aum", "profit_12m", "revenue_12m", "monthly_spend", "clv")
"""Measures in money (the others count months)."""

_DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class ServingCosts:
    """What a customer earns the company and costs it to serve, per unit (currency).

    Attributes:
        margins: product kind -> share of a transaction's amount that is margin (a card
            purchase earns the interchange fee, an insurance premium the commission).
        balance_margins: product kind -> yearly margin on a balance (deposit interest
            margin, wealth management fee).
        channel_costs: channel -> cost of one transaction there.
        default_channel_cost: cost of a transaction in a channel not listed.
        holding_costs: product kind -> yearly cost of servicing one product held.
        asset_kinds, loan_kinds: product kinds whose balances are AUM, and loans.
    """

    margins: Mapping[str, float] = field(default_factory=dict)
    balance_margins: Mapping[str, float] = field(default_factory=dict)
    channel_costs: Mapping[str, float] = field(default_factory=dict)
    default_channel_cost: float = 0.0
    holding_costs: Mapping[str, float] = field(default_factory=dict)
    asset_kinds: tuple[str, ...] = ("deposit", "wealth")
    loan_kinds: tuple[str, ...] = ("loan",)

    @property
    def prices_transactions(self) -> bool:
        """Whether a transaction earns or costs anything (else its margin and cost are 0)."""
        return bool(self.margins or self.channel_costs or self.default_channel_cost)


@dataclass(frozen=True)
class ValueProfile:
    """An industry's idea of value.

    Attributes:
        industry: the profile's key in :data:`PROFILES`.
        measure: the value measure (a key of :data:`MEASURES`) behind the value tier, the
            pyramid's value axis, the score's value part and the value at risk.
        shown: measures the customer page shows beside the tier, in order (CLV has a place
            of its own there).
        costs: margins and costs to serve.
    """

    industry: str
    measure: str
    shown: tuple[str, ...]
    costs: ServingCosts = field(default_factory=ServingCosts)

    def __post_init__(self) -> None:
        unknown = sorted({self.measure, *self.shown} - set(MEASURES))
        if unknown:
            raise ValueError(f"unknown value measures {unknown}; known: {sorted(MEASURES)}")


# Unit figures of a Chinese retail bank and operator, in yuan: rough public orders of
# magnitude (teller transaction tens of yuan, mobile a few jiao; net interest margin about
# 1.5 %), good enough to tell the customers who cost more than they bring.
_BANK_COSTS = ServingCosts(
    margins={"card": 0.006, "wealth": 0.01, "insurance": 0.08, "loan": 0.03},
    balance_margins={"deposit": 0.015, "wealth": 0.006},
    channel_costs={"branch": 25.0, "phone": 6.0, "atm": 3.0, "online": 0.6, "mobile": 0.3},
    default_channel_cost=2.0,
    holding_costs={"deposit": 40.0, "card": 60.0, "wealth": 30.0, "loan": 150.0, "insurance": 20.0},
)
_TELECOM_COSTS = ServingCosts(
    margins={"plan": 0.45, "addon": 0.6, "device": 0.08},
    channel_costs={"store": 18.0, "phone": 6.0, "online": 0.6, "mobile": 0.3},
    default_channel_cost=2.0,
    holding_costs={"plan": 60.0, "addon": 5.0, "device": 10.0},
)

PROFILES: dict[str, ValueProfile] = {
    "bank": ValueProfile("bank", "aum", ("aum", "profit_12m"), _BANK_COSTS),
    "telecom": ValueProfile(
        "telecom", "monthly_spend", ("monthly_spend", "tenure_months", "profit_12m"), _TELECOM_COSTS
    ),
    "retail": ValueProfile("retail", "revenue_12m", ("revenue_12m", "profit_12m")),
}
"""Value profiles by industry; a company in another industry uses ``retail``'s."""


def value_measures(
    summary: ir.Table,
    *,
    as_of: dt.date,
    activity: ir.Table | None = None,
    balances: ir.Table | None = None,
    costs: ServingCosts | None = None,
    window_days: int = 365,
    customer_col: str = "customer_id",
) -> ir.Table:
    """Every value measure per customer of ``summary`` or ``balances`` (see the module docstring).

    Args:
        summary: the customer summary (``revenue_12m``, ``first_purchase``), one row per
            purchasing customer.
        as_of: the day the window and the tenure end.
        activity: the window's transactions: ``<customer_col>, amount, kind, channel``
            (kind and channel may be null).
        balances: open holdings: ``<customer_col>, kind, balance``.
        costs: margins and costs (default: none, so profit is 0 less nothing).
        window_days: length of the window ``activity`` covers (``revenue_12m``'s).

    Returns:
        ``<customer_col>, aum, loans, monthly_spend, tenure_months, margin_12m, cost_12m,
        profit_12m, unprofitable``; customers only in ``balances`` have no spend or tenure.
    """
    c = costs or ServingCosts()
    require_columns(summary, customer_col, "revenue_12m", "first_purchase", what="summary")
    days = ibis.literal(as_of).delta(summary["first_purchase"].cast("date"), unit="day")
    months = (days.cast("float64") / _DAYS_PER_MONTH).floor()
    window_months = float(max(1, round(window_days / _DAYS_PER_MONTH)))
    base = summary.select(
        customer_col,
        monthly_spend=summary["revenue_12m"].cast("float64")
        / ibis.greatest(ibis.least(months + 1, window_months), 1.0),
        tenure_months=months.cast("int64"),
    )
    parts: list[ir.Table] = []
    if activity is not None:
        parts.append(_activity_margin_and_cost(activity, c, customer_col))
    if balances is not None:
        parts.append(_balance_measures(balances, c, customer_col))
    ids = base.select(customer_col)
    for part in parts:
        ids = ids.union(part.select(customer_col))
    table = ids.distinct().left_join(base, customer_col).drop(f"{customer_col}_right")
    for part in parts:
        table = table.left_join(part, customer_col).drop(f"{customer_col}_right")
    zero = ibis.literal(0.0)

    def column(name: str) -> ir.FloatingValue:
        return table[name].fill_null(zero) if name in table.columns else zero

    margin = column("tx_margin") + column("balance_margin")
    cost = column("tx_cost") + column("holding_cost")
    profit = margin - cost
    return table.select(
        customer_col,
        aum=column("aum"),
        loans=column("loans"),
        monthly_spend=table["monthly_spend"],
        tenure_months=table["tenure_months"],
        margin_12m=margin,
        cost_12m=cost,
        profit_12m=profit,
        unprofitable=profit < 0,
    )


def _activity_margin_and_cost(activity: ir.Table, c: ServingCosts, customer_col: str) -> ir.Table:
    require_columns(activity, customer_col, "amount", "kind", "channel", what="activity")
    margin_rate = _lookup(activity["kind"], c.margins, 0.0)
    channel_cost = _lookup(activity["channel"], c.channel_costs, c.default_channel_cost)
    return activity.group_by(customer_col).aggregate(
        tx_margin=(activity["amount"].cast("float64") * margin_rate).sum(),
        tx_cost=channel_cost.sum(),
    )


def _balance_measures(balances: ir.Table, c: ServingCosts, customer_col: str) -> ir.Table:
    require_columns(balances, customer_col, "kind", "balance", what="balances")
    amount = balances["balance"].cast("float64").fill_null(0.0)
    kind = balances["kind"]
    return balances.group_by(customer_col).aggregate(
        aum=ibis.ifelse(kind.isin(c.asset_kinds), amount, 0.0).sum(),
        loans=ibis.ifelse(kind.isin(c.loan_kinds), amount, 0.0).sum(),
        balance_margin=(amount * _lookup(kind, c.balance_margins, 0.0)).sum(),
        holding_cost=_lookup(kind, c.holding_costs, 0.0).sum(),
    )


def _lookup(column: ir.StringValue, table: Mapping[str, float], default: float) -> ir.FloatingValue:
    """``table[column]`` as an expression, ``default`` for a value not listed or null."""
    mapping = dict(table) or {"": default}  # never empty: the result must be a column
    return column.substitute(mapping, else_=default).fill_null(default).cast("float64")
