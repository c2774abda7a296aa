"""Customer-base KPIs per calendar month and cohort retention, from a transaction log.

Input conventions (purchase days, returns, zero amounts, duplicates, nulls, future rows) are
those of :mod:`guanxi.analytics.summary`. A customer is *active* in a month when it has at
least one purchase day in it.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from guanxi.analytics.summary import DateLike, clean_transactions, validate_transactions

__all__ = ["cohort_retention", "monthly_kpis"]


def _customer_months(
    transactions: ir.Table,
    customer_col: str,
    time_col: str,
    amount_col: str,
    as_of: DateLike | None,
    drop_duplicates: bool,
) -> ir.Table:
    _, as_of_date = validate_transactions(transactions, customer_col, time_col, amount_col, as_of)
    clean = clean_transactions(
        transactions, customer_col, time_col, amount_col, as_of_date, drop_duplicates, {}
    )
    amount = clean["_amount"]
    daily = clean.group_by([customer_col, "_day"]).aggregate(
        _value=amount.sum(where=amount >= 0),
        _net=amount.sum(),
        _n_buy=clean.count(where=amount >= 0),
    )
    daily = daily.mutate(month=daily["_day"].truncate("M"))
    buy = daily["_n_buy"] > 0
    return daily.group_by([customer_col, "month"]).aggregate(
        revenue=daily["_net"].sum(),
        purchase_value=daily["_value"].sum(where=buy).fill_null(0.0),
        purchases=daily.count(where=buy),
    )


def monthly_kpis(
    transactions: ir.Table,
    *,
    customer_col: str = "customer_id",
    time_col: str = "date",
    amount_col: str = "amount",
    as_of: DateLike | None = None,
    drop_duplicates: bool = False,
) -> ir.Table:
    """Customer-base KPIs for every calendar month with activity, ordered by month.

    Columns: ``month`` (first day), ``active_customers``, ``new_customers`` (first purchase
    ever in this month), ``returning_customers`` (active, not new), ``retained_customers``
    (active this month and the previous one), ``retention_rate`` (retained / active in the
    previous month; null when none was), ``purchases`` (purchase days), ``revenue`` (net, incl.
    returns), ``avg_order_value`` (purchase value / purchases), ``revenue_per_active``
    (revenue / active customers).
    """
    cm = _customer_months(transactions, customer_col, time_col, amount_col, as_of, drop_duplicates)
    active = cm.filter(cm.purchases > 0)
    first = active.group_by(customer_col).aggregate(_first=active.month.min())
    prev = active.select(customer_col, _next=active.month + ibis.interval(months=1))
    t = cm.left_join(first, customer_col).select(*cm.columns, _first=first["_first"])
    t = t.left_join(prev, [t[customer_col] == prev[customer_col], t.month == prev["_next"]]).select(
        *t.columns, _was_active=prev["_next"].notnull()
    )
    is_active = t.purchases > 0
    per_month = t.group_by("month").aggregate(
        active_customers=t.count(where=is_active),
        new_customers=t.count(where=is_active & (t.month == t["_first"])),
        retained_customers=t.count(where=is_active & t["_was_active"]),
        purchases=t.purchases.sum(),
        revenue=t.revenue.sum(),
        _value=t.purchase_value.sum(),
    )
    prev_active = per_month.select(
        _m=per_month.month + ibis.interval(months=1), _prev_active=per_month.active_customers
    )
    out = per_month.left_join(prev_active, per_month.month == prev_active["_m"]).select(
        *per_month.columns, _prev_active=prev_active["_prev_active"]
    )
    active_f = out.active_customers.cast("float64")
    return out.select(
        "month",
        active_customers=out.active_customers.cast("int64"),
        new_customers=out.new_customers.cast("int64"),
        returning_customers=(out.active_customers - out.new_customers).cast("int64"),
        retained_customers=out.retained_customers.cast("int64"),
        retention_rate=ibis.ifelse(
            out["_prev_active"] > 0,
            out.retained_customers.cast("float64") / out["_prev_active"].cast("float64"),
            ibis.null("float64"),
        ),
        purchases=out.purchases.cast("int64"),
        revenue=out.revenue.cast("float64"),
        avg_order_value=ibis.ifelse(
            out.purchases > 0, out["_value"] / out.purchases.cast("float64"), ibis.null("float64")
        ),
        revenue_per_active=ibis.ifelse(active_f > 0, out.revenue / active_f, ibis.null("float64")),
    ).order_by("month")


def cohort_retention(
    transactions: ir.Table,
    *,
    customer_col: str = "customer_id",
    time_col: str = "date",
    amount_col: str = "amount",
    as_of: DateLike | None = None,
    drop_duplicates: bool = False,
) -> ir.Table:
    """Monthly acquisition cohorts: share of each cohort active N months after its start.

    Columns: ``cohort`` (month of the first purchase), ``period`` (months since, 0 = the
    cohort month), ``active_customers``, ``cohort_size``, ``retention``
    (active / cohort size; 1.0 at period 0). Ordered by cohort and period; only periods with
    at least one active customer appear.
    """
    cm = _customer_months(transactions, customer_col, time_col, amount_col, as_of, drop_duplicates)
    active = cm.filter(cm.purchases > 0).select(customer_col, "month")
    first = active.group_by(customer_col).aggregate(cohort=active.month.min())
    t = active.join(first, customer_col)
    t = t.mutate(period=t.month.delta(t.cohort, unit="month").cast("int64"))
    counts = t.group_by(["cohort", "period"]).aggregate(active_customers=t.count())
    sizes = first.group_by("cohort").aggregate(cohort_size=first.count())
    out = counts.join(sizes, "cohort")
    return out.select(
        "cohort",
        "period",
        active_customers=out.active_customers.cast("int64"),
        cohort_size=out.cohort_size.cast("int64"),
        retention=out.active_customers.cast("float64") / out.cohort_size.cast("float64"),
    ).order_by(["cohort", "period"])
