"""Revenue concentration (80/20 share, Lorenz curve, Gini) and customer profitability.

All functions take per-customer tables (e.g. the summary of
:func:`guanxi.analytics.summary.customer_summary`) and return Ibis expressions computed with
window functions and aggregates in the backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from guanxi.analytics.summary import require_columns

__all__ = [
    "CostToServe",
    "customer_profit",
    "gini",
    "lorenz_curve",
    "pareto_share",
    "profit_quintiles",
]


def pareto_share(
    customers: ir.Table,
    fraction: float = 0.2,
    *,
    value_col: str = "total_revenue",
    customer_col: str = "customer_id",
) -> ir.Table:
    """Share of the total value earned from the top ``fraction`` of customers (one row).

    The top group is the ``ceil(fraction * n)`` customers with the highest value (ties broken
    by ``customer_col``). Columns: ``customers``, ``top_customers``, ``top_value``,
    ``total_value``, ``share`` (``top_value / total_value``; null if the total is 0).
    """
    if not 0 < fraction <= 1:
        raise ValueError("fraction must be in (0, 1]")
    require_columns(customers, customer_col, value_col, what="customers")
    v = customers[value_col].fill_null(0).cast("float64")
    t = customers.select(
        _v=v,
        _rn=ibis.row_number().over(order_by=[v.desc(), customers[customer_col]]),
        _n=v.count().over(),
    )
    top = t["_rn"] < (t["_n"] * fraction - 1e-9).ceil()  # guard 0.7 * 10 = 7.000000000000001
    agg = t.aggregate(
        customers=t.count(),
        top_customers=t.count(where=top),
        top_value=t["_v"].sum(where=top).fill_null(0.0),
        total_value=t["_v"].sum(),
    )
    return agg.mutate(
        share=ibis.ifelse(
            agg.total_value == 0, ibis.null("float64"), agg.top_value / agg.total_value
        )
    )


def lorenz_curve(
    customers: ir.Table,
    *,
    value_col: str = "total_revenue",
    customer_col: str = "customer_id",
    points: int | None = 100,
) -> ir.Table:
    """Lorenz curve: cumulative share of customers (poorest first) vs cumulative share of value.

    Columns ``customer_share``, ``value_share``, ordered ascending, starting at (0, 0) and
    ending at (1, 1). With ``points`` (default 100) only the first customer reaching each
    ``k / points`` step of the population is kept (``points + 1`` rows incl. the origin), so
    the curve is small to plot for a million customers; ``points=None`` keeps one row per
    customer.
    """
    require_columns(customers, customer_col, value_col, what="customers")
    if points is not None and points < 1:
        raise ValueError("points must be >= 1 or None")
    v = customers[value_col].fill_null(0).cast("float64")
    order = [v, customers[customer_col]]
    t = customers.select(
        _rn=ibis.row_number().over(order_by=order) + 1,
        _n=v.count().over(),
        _cum=v.sum().over(ibis.window(order_by=order, rows=(None, 0))),
        _tot=v.sum().over(),
    )
    if points is not None:
        step = (t["_rn"] * points / t["_n"]).floor()
        prev = ((t["_rn"] - 1) * points / t["_n"]).floor()
        t = t.filter(step > prev)
    curve = t.select(
        customer_share=t["_rn"].cast("float64") / t["_n"],
        value_share=t["_cum"] / t["_tot"],
    )
    origin = ibis.memtable(
        {"customer_share": [0.0], "value_share": [0.0]},
        schema={"customer_share": "float64", "value_share": "float64"},
    )
    return origin.union(curve).order_by("customer_share")


def gini(
    customers: ir.Table,
    *,
    value_col: str = "total_revenue",
) -> ir.FloatingScalar:
    """Gini coefficient of ``value_col`` as a scalar expression (``.execute()`` it).

    ``G = 2 * sum(i * x_(i)) / (n * sum(x)) - (n + 1) / n`` with values sorted ascending and
    ``i`` = 1..n: 0 = every customer equal, near 1 = one customer has everything. Equals the
    mean absolute difference over twice the mean. Null values count as 0.
    """
    require_columns(customers, value_col, what="customers")
    v = customers[value_col].fill_null(0).cast("float64")
    # distinct positions (row_number): sum(i * x) is the same whatever the order of ties
    t = customers.select(_v=v, _i=(ibis.row_number().over(order_by=v) + 1).cast("float64"))
    n = t.count().cast("float64")
    total = t["_v"].sum()
    weighted = (t["_i"] * t["_v"]).sum()
    return 2.0 * weighted / (n * total) - (n + 1.0) / n


@dataclass(frozen=True)
class CostToServe:
    """Costs of serving a customer.

    Attributes:
        per_transaction: cost of one transaction by channel (e.g. ``{"branch": 8.0,
            "online": 0.5}``); channels not listed cost ``default_transaction_cost``.
        default_transaction_cost: cost of a transaction in an unlisted (or null) channel, or
            of every transaction when no channel column is given.
        per_case: cost of one service case (complaint, request).
        per_contact: cost of one contact (call, visit, mailing).
        gross_margin: fraction of revenue that is gross profit before serving costs
            (1.0 = treat revenue as margin).
    """

    per_transaction: Mapping[str, float] = field(default_factory=dict)
    default_transaction_cost: float = 0.0
    per_case: float = 0.0
    per_contact: float = 0.0
    gross_margin: float = 1.0


def customer_profit(
    transactions: ir.Table,
    costs: CostToServe | None = None,
    *,
    customer_col: str = "customer_id",
    amount_col: str = "amount",
    channel_col: str | None = None,
    cases: ir.Table | None = None,
    contacts: ir.Table | None = None,
    cases_col: str = "n_cases",
    contacts_col: str = "n_contacts",
) -> ir.Table:
    """Profit per customer = gross margin on revenue - cost to serve.

    Args:
        transactions: one row per transaction (already restricted to the period wanted);
            rows with a null customer or amount are ignored, returns (negative amounts)
            reduce revenue and still cost a transaction.
        costs: unit costs (default: all zero, so profit = revenue).
        channel_col: channel column of ``transactions`` for per-channel transaction costs.
        cases, contacts: optional per-customer count tables
            (``<customer_col>, <cases_col>`` / ``<customer_col>, <contacts_col>``); customers
            only in these tables appear with zero revenue.

    Returns:
        ``<customer_col>``, ``revenue``, ``n_transactions``, ``transaction_cost``,
        ``n_cases``, ``case_cost``, ``n_contacts``, ``contact_cost``, ``cost``, ``profit``.
    """
    c = costs or CostToServe()
    require_columns(transactions, customer_col, amount_col, channel_col, what="transactions")
    t = transactions.filter(
        transactions[customer_col].notnull(), transactions[amount_col].notnull()
    )
    if channel_col is not None and c.per_transaction:
        unit = (
            t[channel_col]
            .cast("string")
            .substitute(dict(c.per_transaction), else_=c.default_transaction_cost)
            .fill_null(c.default_transaction_cost)
        )
    else:
        unit = ibis.literal(c.default_transaction_cost)
    t = t.select(customer_col, _amt=t[amount_col].cast("float64"), _unit=unit.cast("float64"))
    base = t.group_by(customer_col).aggregate(
        revenue=t["_amt"].sum(), n_transactions=t.count(), transaction_cost=t["_unit"].sum()
    )

    extra = []
    if cases is not None:
        require_columns(cases, customer_col, cases_col, what="cases")
        extra.append(
            cases.group_by(customer_col).aggregate(_cases=cases[cases_col].sum().cast("int64"))
        )
    if contacts is not None:
        require_columns(contacts, customer_col, contacts_col, what="contacts")
        extra.append(
            contacts.group_by(customer_col).aggregate(
                _contacts=contacts[contacts_col].sum().cast("int64")
            )
        )
    result = base
    if extra:
        ids = ibis.union(
            base.select(customer_col), *[e.select(customer_col) for e in extra], distinct=True
        )
        result = ids.left_join(base, customer_col).select(
            ids[customer_col], "revenue", "n_transactions", "transaction_cost"
        )
        for e in extra:
            name = e.columns[1]
            result = result.left_join(e, customer_col).select(*result.columns, e[name])
    cols = result.columns
    n_cases = result["_cases"].fill_null(0) if "_cases" in cols else ibis.literal(0, "int64")
    n_contacts = (
        result["_contacts"].fill_null(0) if "_contacts" in cols else ibis.literal(0, "int64")
    )
    out = result.select(
        customer_col,
        revenue=result["revenue"].fill_null(0.0),
        n_transactions=result["n_transactions"].fill_null(0).cast("int64"),
        transaction_cost=result["transaction_cost"].fill_null(0.0),
        n_cases=n_cases.cast("int64"),
        case_cost=(n_cases * c.per_case).cast("float64"),
        n_contacts=n_contacts.cast("int64"),
        contact_cost=(n_contacts * c.per_contact).cast("float64"),
    )
    out = out.mutate(cost=out.transaction_cost + out.case_cost + out.contact_cost)
    return out.mutate(profit=out.revenue * c.gross_margin - out.cost)


def profit_quintiles(
    profit: ir.Table,
    *,
    customer_col: str = "customer_id",
    groups: int = 5,
) -> ir.Table:
    """The "whale curve" table: customers split into ``groups`` equal groups by profit.

    Group 1 holds the most profitable customers (ties broken by ``customer_col``). Columns:
    ``quintile``, ``customers``, ``revenue``, ``cost``, ``profit``, ``profit_share`` (of the
    total profit; above 1 for the top group and negative for the bottom one when some
    customers lose money), ``cumulative_profit_share``. Ordered by ``quintile``.
    """
    require_columns(profit, customer_col, "revenue", "cost", "profit", what="profit")
    if groups < 1:
        raise ValueError("groups must be >= 1")
    q = ibis.ntile(groups).over(order_by=[profit["profit"].desc(), profit[customer_col]]) + 1
    t = profit.mutate(quintile=q.cast("int64"))
    out = t.group_by("quintile").aggregate(
        customers=t.count(),
        revenue=t["revenue"].sum(),
        cost=t["cost"].sum(),
        profit=t["profit"].sum(),
    )
    total = out["profit"].sum().over()
    cum = out["profit"].sum().over(ibis.window(order_by="quintile", rows=(None, 0)))
    out = out.mutate(profit_share=out["profit"] / total, cumulative_profit_share=cum / total)
    return out.order_by("quintile")
