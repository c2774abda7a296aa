"""Customer-base KPIs per calendar period (and optional group), and cohort retention.

Input conventions (purchase days, returns, zero amounts, duplicates, nulls, future rows) are
those of :mod:`guanxi.analytics.summary`. A customer is *active* in a period when it has at
least one purchase day in it.

With a ``group_col`` (e.g. a branch) every group is treated as its own customer base: a
customer is new in a group the first period it buys there, retained when it bought there in
the previous period too, so a customer buying in two branches counts in both. A null group
is a group of its own (joins use null-safe equality so its retention is still computed).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import ibis
import ibis.expr.types as ir

from guanxi.analytics.concentration import CostToServe
from guanxi.analytics.summary import (
    DateLike,
    clean_transactions,
    day_of,
    require_columns,
    validate_transactions,
)

__all__ = [
    "Period",
    "cohort_retention",
    "kpi_components_by_period",
    "monthly_kpis",
    "period_kpi_components",
    "period_kpis",
]

Period = Literal["month", "quarter", "year"]
# truncation unit and length in months of each period
_PERIODS: dict[str, tuple[str, int]] = {"month": ("M", 1), "quarter": ("Q", 3), "year": ("Y", 12)}
_GROUP = "_group"
# the summed columns of a customer period
_PERIOD_SUMS = ("revenue", "purchase_value", "purchases", "cost", "margin")


def _check_period(period: str) -> tuple[str, int]:
    if period not in _PERIODS:
        raise ValueError(f"period must be one of {list(_PERIODS)}, not {period!r}")
    return _PERIODS[period]


def _same(left: ir.Table, right: ir.Table, keys: list[str]) -> list[ir.BooleanValue]:
    # null-safe: a null group must still match itself, or its customers never "return"
    return [left[k].identical_to(right[k]) for k in keys]


def _with_group(
    transactions: ir.Table,
    customers: ir.Table | None,
    customer_col: str,
    group_col: str | None,
) -> tuple[ir.Table, str | None]:
    """Transactions carrying the group column, taken from ``customers`` when they lack it.

    Returns the table and the name of its group column (None when ungrouped).
    """
    if group_col is None or group_col in transactions.columns:
        return transactions, group_col
    if customers is None or group_col not in customers.columns:
        raise ValueError(
            f"group_col {group_col!r} is neither a column of transactions "
            f"({', '.join(transactions.columns)}) nor of the customers table"
        )
    require_columns(transactions, customer_col, what="transactions")
    require_columns(customers, customer_col, what="customers")
    lookup = customers.select(_c=customers[customer_col], _g=customers[group_col])
    # named like the internal group key, so the rest runs the same whichever table supplied it
    joined = transactions.left_join(lookup, transactions[customer_col] == lookup["_c"])
    return joined.select(*transactions.columns, **{_GROUP: lookup["_g"]}), _GROUP


def _customer_periods(
    transactions: ir.Table,
    customer_col: str,
    time_col: str,
    amount_col: str,
    as_of: DateLike | None,
    drop_duplicates: bool,
    *,
    group_col: str | None = None,
    channel_col: str | None = None,
    margin_col: str | None = None,
    costs: CostToServe | None = None,
    unit: str = "M",
) -> tuple[ir.Table, dt.date]:
    """One row per (customer, [group,] period) with any kept transaction, and the as-of date.

    Columns: ``<customer_col>``, ``_group`` (when grouped), ``period``, ``revenue`` (net),
    ``purchase_value``, ``purchases`` (purchase days), ``cost`` (cost to serve), ``margin``
    (what the company earns before serving costs).
    """
    _, as_of_date = validate_transactions(
        transactions,
        customer_col,
        time_col,
        amount_col,
        as_of,
        (group_col, channel_col, margin_col),
    )
    extra = {_GROUP: group_col, "_channel": channel_col, "_rate": margin_col}
    clean = clean_transactions(
        transactions, customer_col, time_col, amount_col, as_of_date, drop_duplicates, extra
    )
    keys = [customer_col] + ([_GROUP] if group_col is not None else [])
    # CostToServe conventions (concentration.customer_profit): every row, returns included,
    # costs its channel's per-transaction price; unlisted or null channels the default
    c = costs or CostToServe()
    if channel_col is not None and c.per_transaction:
        unit_cost = (
            clean["_channel"]
            .cast("string")
            .substitute(dict(c.per_transaction), else_=c.default_transaction_cost)
            .fill_null(c.default_transaction_cost)
        )
    else:
        unit_cost = ibis.literal(c.default_transaction_cost)
    if margin_col is not None:
        rate = clean["_rate"].cast("float64").fill_null(c.gross_margin)
    else:
        rate = ibis.literal(c.gross_margin, type="float64")
    clean = clean.mutate(_unit=unit_cost.cast("float64"), _earned=clean["_amount"] * rate)
    amount = clean["_amount"]
    daily = clean.group_by([*keys, "_day"]).aggregate(
        _value=amount.sum(where=amount >= 0),
        _net=amount.sum(),
        _n_buy=clean.count(where=amount >= 0),
        _cost=clean["_unit"].sum(),
        _margin=clean["_earned"].sum(),
    )
    daily = daily.mutate(period=daily["_day"].truncate(unit))
    buy = daily["_n_buy"] > 0
    cp = daily.group_by([*keys, "period"]).aggregate(
        revenue=daily["_net"].sum(),
        purchase_value=daily["_value"].sum(where=buy).fill_null(0.0),
        purchases=daily.count(where=buy),
        cost=daily["_cost"].sum(),
        margin=daily["_margin"].sum(),
    )
    return cp, as_of_date


def _roll_up(months: ir.Table, unit: str) -> ir.Table:
    """Customer months (of :func:`_customer_periods`) added up into longer periods: every
    column is a sum over the period's days, so the sums of its months are exactly the
    period's (purchases count purchase days, which no two months share)."""
    keys = [c for c in months.columns if c not in _PERIOD_SUMS and c != "period"]
    longer = months.mutate(period=months.period.truncate(unit))
    return longer.group_by([*keys, "period"]).aggregate(
        **{name: longer[name].sum() for name in _PERIOD_SUMS}
    )


def _base_kpis(cp: ir.Table, customer_col: str, grouped: bool, months: int) -> ir.Table:
    """Per ([group,] period): customer counts, retention and sums of the customer periods.

    Adds to each (customer, period) row whether it is the customer's first active period and
    whether the customer was active in the previous period, then aggregates.
    """
    gkeys = [_GROUP] if grouped else []
    ckeys = [customer_col, *gkeys]
    step = ibis.interval(months=months)
    active = cp.filter(cp.purchases > 0)
    first = active.group_by(ckeys).aggregate(_first=active.period.min())
    prev = active.select(*ckeys, _next=active.period + step)
    t = cp.left_join(first, _same(cp, first, ckeys)).select(*cp.columns, _first=first["_first"])
    t = t.left_join(prev, [*_same(t, prev, ckeys), t.period == prev["_next"]]).select(
        *t.columns, _was_active=prev["_next"].notnull()
    )
    is_active = t.purchases > 0
    per = t.group_by([*gkeys, "period"]).aggregate(
        active_customers=t.count(where=is_active),
        new_customers=t.count(where=is_active & (t.period == t["_first"])),
        retained_customers=t.count(where=is_active & t["_was_active"]),
        purchases=t.purchases.sum(),
        revenue=t.revenue.sum(),
        cost=t.cost.sum(),
        margin=t.margin.sum(),
        _value=t.purchase_value.sum(),
    )
    prev_active = per.select(*gkeys, _p=per.period + step, _prev_active=per.active_customers)
    return per.left_join(
        prev_active, [*_same(per, prev_active, gkeys), per.period == prev_active["_p"]]
    ).select(*per.columns, _prev_active=prev_active["_prev_active"])


def _ratio(num: ir.NumericValue, den: ir.NumericValue) -> ir.FloatingValue:
    """num / den as float, null when den is null or 0 (a rate without inputs)."""
    return ibis.ifelse(den > 0, num.cast("float64") / den.cast("float64"), ibis.null("float64"))


def _rates(out: ir.Table) -> dict[str, ir.Value]:
    retention = _ratio(out.retained_customers, out["_prev_active"])
    return {
        "active_customers": out.active_customers.cast("int64"),
        "new_customers": out.new_customers.cast("int64"),
        "returning_customers": (out.active_customers - out.new_customers).cast("int64"),
        "retained_customers": out.retained_customers.cast("int64"),
        "retention_rate": retention,
        "churn_rate": 1.0 - retention,  # null stays null
    }


def monthly_kpis(
    transactions: ir.Table,
    *,
    customer_col: str = "customer_id",
    time_col: str = "date",
    amount_col: str = "amount",
    group_col: str | None = None,
    as_of: DateLike | None = None,
    drop_duplicates: bool = False,
) -> ir.Table:
    """Customer-base KPIs for every calendar month with activity, ordered by [group,] month.

    Columns: ``<group_col>`` (only when given; each group is its own customer base, see the
    module docstring), ``month`` (first day), ``active_customers``, ``new_customers`` (first
    purchase ever, in the group, in this month), ``returning_customers`` (active, not new),
    ``retained_customers`` (active this month and the previous one), ``retention_rate``
    (retained / active in the previous month; null when none was), ``churn_rate``
    (1 - retention_rate; null with it), ``purchases`` (purchase days), ``revenue`` (net, incl.
    returns), ``avg_order_value`` (purchase value / purchases), ``revenue_per_active``
    (revenue / active customers).

    Raises ``ValueError`` naming any missing column (``group_col`` included).
    """
    cp, _ = _customer_periods(
        transactions,
        customer_col,
        time_col,
        amount_col,
        as_of,
        drop_duplicates,
        group_col=group_col,
    )
    out = _base_kpis(cp, customer_col, group_col is not None, 1)
    gsel = {group_col: out[_GROUP]} if group_col is not None else {}
    return out.select(
        **gsel,
        month=out.period,
        **_rates(out),
        purchases=out.purchases.cast("int64"),
        revenue=out.revenue.cast("float64"),
        avg_order_value=_ratio(out["_value"], out.purchases).cast("float64"),
        revenue_per_active=_ratio(out.revenue, out.active_customers),
    ).order_by([*gsel, "month"])


def _holdings_kpis(
    cp: ir.Table,
    holdings: ir.Table,
    customer_col: str,
    product_col: str,
    opened_col: str,
    as_of: dt.date,
    gkeys: list[str],
    months: int,
) -> ir.Table:
    """Per ([group,] period): mean distinct products held by the active customers, and the
    share of them holding two or more (products opened on or before the period end)."""
    require_columns(holdings, customer_col, product_col, opened_col, what="holdings")
    h = holdings.select(
        _c=holdings[customer_col], _p=holdings[product_col], _o=day_of(holdings, opened_col)
    )
    # like future transactions, holdings opened after as_of are not known yet
    h = h.filter(h["_c"].notnull(), h["_p"].notnull(), h["_o"] <= ibis.literal(as_of, type="date"))
    # A product counts from the day the customer first opened it; per customer, how many
    # products they had by each such day. An as-of join then finds each period's count from
    # the last such day before the period ends, one row per customer period instead of one
    # per product held (joining every holding and counting distinct products took most of
    # a million customers' KPI cells).
    first = h.group_by(["_c", "_p"]).aggregate(_o=h["_o"].min())
    per_day = first.group_by(["_c", "_o"]).aggregate(_k=first.count())
    so_far = ibis.cumulative_window(group_by=per_day["_c"], order_by=per_day["_o"])
    owned = per_day.select("_c", "_o", _held=per_day["_k"].sum().over(so_far))
    act = cp.filter(cp.purchases > 0)
    act = act.select(customer_col, *gkeys, "period", _end=act.period + ibis.interval(months=months))
    # as-of joins keep every left row: an active customer without holdings holds 0 products
    # (still in the denominator)
    j = act.asof_join(
        owned, on=act["_end"] > owned["_o"], predicates=act[customer_col] == owned["_c"]
    )
    per_cust = j.select(customer_col, *gkeys, "period", _n=j["_held"].fill_null(0))
    return per_cust.group_by([*gkeys, "period"]).aggregate(
        _products=per_cust["_n"].sum(),
        _cross=per_cust.count(where=per_cust["_n"] >= 2),
        _holders=per_cust.count(),
    )


def _referral_kpis(
    cp: ir.Table,
    customers: ir.Table,
    customer_col: str,
    source_col: str,
    referral_value: str,
    gkeys: list[str],
) -> ir.Table:
    """Per ([group,] period): new customers and how many of them came by referral."""
    active = cp.filter(cp.purchases > 0)
    first = active.group_by([customer_col, *gkeys]).aggregate(period=active.period.min())
    src = customers.select(_c=customers[customer_col], _s=customers[source_col])
    j = first.left_join(src, first[customer_col] == src["_c"])
    # unknown source (not in customers, or null) counts as "not a referral", not as missing
    return j.group_by([*gkeys, "period"]).aggregate(
        _new=j.count(), _referred=j.count(where=(j["_s"] == referral_value).fill_null(False))
    )


def period_kpi_components(
    transactions: ir.Table,
    *,
    customers: ir.Table | None = None,
    holdings: ir.Table | None = None,
    costs: CostToServe | None = None,
    customer_col: str = "customer_id",
    time_col: str = "date",
    amount_col: str = "amount",
    channel_col: str | None = None,
    margin_col: str | None = None,
    group_col: str | None = None,
    period: Period = "month",
    as_of: DateLike | None = None,
    product_col: str = "product",
    opened_col: str = "opened_date",
    source_col: str | None = "source_channel",
    referral_value: str = "referral",
    drop_duplicates: bool = False,
) -> ir.Table:
    """The additive parts of :func:`period_kpis`: counts and sums, never ratios.

    Takes the arguments of :func:`period_kpis`. The parts of several groups (e.g. the
    branches and account managers of one viewer's scope) add up to the parts of their union,
    so rates can be stored per small group and divided only once the groups wanted are
    summed: ``retention = retained / active of the period before``, ``products per customer =
    products_held / active``, ``cross-sell rate = cross_sold / active``, ``referral rate =
    referred / new``, ``revenue (profit) per customer = revenue (profit) / active``.

    Returns:
        Ordered by [group,] period: ``<group_col>`` (when given), ``period``,
        ``active_customers``, ``new_customers``, ``retained_customers``, ``previous_active``
        (active in the group's period before; 0 when none), ``revenue``, ``cost``,
        ``profit``, ``products_held`` (distinct products held by the active customers) and
        ``cross_sold`` (active customers holding two or more; both null without
        ``holdings``), ``referred_customers`` (null without ``customers`` or ``source_col``).
    """
    return kpi_components_by_period(
        transactions,
        periods=(period,),
        customers=customers,
        holdings=holdings,
        costs=costs,
        customer_col=customer_col,
        time_col=time_col,
        amount_col=amount_col,
        channel_col=channel_col,
        margin_col=margin_col,
        group_col=group_col,
        as_of=as_of,
        product_col=product_col,
        opened_col=opened_col,
        source_col=source_col,
        referral_value=referral_value,
        drop_duplicates=drop_duplicates,
    ).drop("period_kind")


def kpi_components_by_period(
    transactions: ir.Table,
    *,
    periods: tuple[Period, ...] = ("month", "quarter", "year"),
    customers: ir.Table | None = None,
    holdings: ir.Table | None = None,
    costs: CostToServe | None = None,
    customer_col: str = "customer_id",
    time_col: str = "date",
    amount_col: str = "amount",
    channel_col: str | None = None,
    margin_col: str | None = None,
    group_col: str | None = None,
    as_of: DateLike | None = None,
    product_col: str = "product",
    opened_col: str = "opened_date",
    source_col: str | None = "source_channel",
    referral_value: str = "referral",
    drop_duplicates: bool = False,
) -> ir.Table:
    """:func:`period_kpi_components` for several kinds of period from one pass over the log.

    The log is read once into customer months; quarters and years add up their months.
    Returns the columns of :func:`period_kpi_components` after a ``period_kind`` column
    (the kinds in the order asked), ordered by kind, [group,] period.
    """
    units = {kind: _check_period(kind) for kind in periods}
    if not units:
        raise ValueError("periods must name at least one of " + ", ".join(_PERIODS))
    if customers is not None:
        require_columns(customers, customer_col, source_col, what="customers")
    tx, gcol = _with_group(transactions, customers, customer_col, group_col)
    finest = "M" if len(units) > 1 else units[periods[0]][0]
    cp, as_of_date = _customer_periods(
        tx,
        customer_col,
        time_col,
        amount_col,
        as_of,
        drop_duplicates,
        group_col=gcol,
        channel_col=channel_col,
        margin_col=margin_col,
        costs=costs,
        unit=finest,
    )
    if len(units) > 1:
        # Quarters and years read the months rather than the log again.
        cp = cp.cache()
    parts = [
        _components(
            cp if unit == finest else _roll_up(cp, unit),
            customers=customers,
            holdings=holdings,
            customer_col=customer_col,
            grouped=gcol is not None,
            months=months,
            as_of=as_of_date,
            product_col=product_col,
            opened_col=opened_col,
            source_col=source_col,
            referral_value=referral_value,
        ).mutate(period_kind=ibis.literal(kind), _rank=ibis.literal(rank))
        for rank, (kind, (unit, months)) in enumerate(units.items())
    ]
    out = ibis.union(*parts) if len(parts) > 1 else parts[0]
    gsel = {group_col: out[_GROUP]} if group_col is not None else {}
    rest = [c for c in out.columns if c not in (_GROUP, "period_kind", "_rank")]
    return out.order_by(["_rank", *([_GROUP] if gsel else []), "period"]).select(
        "period_kind", **gsel, **{c: out[c] for c in rest}
    )


def _components(
    cp: ir.Table,
    *,
    customers: ir.Table | None,
    holdings: ir.Table | None,
    customer_col: str,
    grouped: bool,
    months: int,
    as_of: dt.date,
    product_col: str,
    opened_col: str,
    source_col: str | None,
    referral_value: str,
) -> ir.Table:
    """The components of one kind of period from its customer periods (``_group`` kept)."""
    gkeys = [_GROUP] if grouped else []
    out = _base_kpis(cp, customer_col, grouped, months)
    if holdings is not None:
        hk = _holdings_kpis(
            cp, holdings, customer_col, product_col, opened_col, as_of, gkeys, months
        )
        pred = [*_same(out, hk, gkeys), out.period == hk.period]
        out = out.left_join(hk, pred).select(*out.columns, *[hk[c] for c in hk.columns[-3:]])
    if customers is not None and source_col is not None:
        rk = _referral_kpis(cp, customers, customer_col, source_col, referral_value, gkeys)
        pred = [*_same(out, rk, gkeys), out.period == rk.period]
        out = out.left_join(rk, pred).select(*out.columns, rk["_new"], rk["_referred"])
    if holdings is not None:
        products = out["_products"].fill_null(0).cast("int64")
        cross = out["_cross"].fill_null(0).cast("int64")
    else:
        products = cross = ibis.null("int64")
    if "_referred" in out.columns:
        referred = out["_referred"].fill_null(0).cast("int64")
    else:
        referred = ibis.null("int64")
    return out.select(
        *gkeys,
        period=out.period,
        active_customers=out.active_customers.cast("int64"),
        new_customers=out.new_customers.cast("int64"),
        retained_customers=out.retained_customers.cast("int64"),
        previous_active=out["_prev_active"].fill_null(0).cast("int64"),
        revenue=out.revenue.cast("float64"),
        cost=out.cost.cast("float64"),
        profit=(out.margin - out.cost).cast("float64"),
        products_held=products,
        cross_sold=cross,
        referred_customers=referred,
    )


def period_kpis(
    transactions: ir.Table,
    *,
    customers: ir.Table | None = None,
    holdings: ir.Table | None = None,
    costs: CostToServe | None = None,
    customer_col: str = "customer_id",
    time_col: str = "date",
    amount_col: str = "amount",
    channel_col: str | None = None,
    margin_col: str | None = None,
    group_col: str | None = None,
    period: Period = "month",
    as_of: DateLike | None = None,
    product_col: str = "product",
    opened_col: str = "opened_date",
    source_col: str | None = "source_channel",
    referral_value: str = "referral",
    drop_duplicates: bool = False,
) -> ir.Table:
    """Customer-base KPIs per ([group,] calendar month / quarter / year) with activity.

    Args:
        transactions: one row per transaction line (conventions of
            :mod:`guanxi.analytics.summary`).
        customers: optional table ``<customer_col>, [<group_col>,] <source_col>``, one row per
            customer. Supplies the group when ``transactions`` has no ``group_col`` (e.g.
            customer -> home branch) and the acquisition channel for ``referral_rate``.
        holdings: optional table ``<customer_col>, <product_col>, <opened_col>`` (one row per
            product held; opened is a date, timestamp or ISO string) for
            ``products_per_customer`` / ``cross_sell_rate``.
        costs: unit costs to serve (:class:`~guanxi.analytics.concentration.CostToServe`);
            only the per-transaction costs and ``gross_margin`` apply (there are no case or
            contact tables per period). None: no costs, so profit = revenue.
        channel_col: transaction channel column for per-channel transaction costs.
        margin_col: a column of each row's margin rate (the share of its amount the company
            earns, e.g. by product kind); null rates and no column: ``gross_margin``.
        group_col: optional grouping (e.g. ``"branch"``), taken from ``transactions`` or,
            when absent there, from ``customers``. Each group is its own customer base (see
            the module docstring).
        period: ``"month"``, ``"quarter"`` or ``"year"`` (calendar periods).
        as_of: observation end, inclusive (default: the latest transaction date); later
            transactions and holdings are ignored.
        source_col: acquisition-channel column of ``customers``; None: no referral rate.
        referral_value: the ``source_col`` value meaning "referred" (exact match).

    Returns:
        Ordered by [group,] period: ``<group_col>`` (when given), ``period`` (first day),
        ``active_customers``, ``new_customers``, ``returning_customers``,
        ``retained_customers``, ``retention_rate`` (retained / active in the previous period;
        null when none was), ``churn_rate`` (1 - retention_rate, null with it), ``revenue``
        (net), ``revenue_per_active``, ``cost`` (cost to serve; 0 without ``costs``),
        ``profit`` (the margin earned - cost; the margin is revenue * gross_margin without
        ``margin_col``), ``profit_per_active``,
        ``products_per_customer`` (mean distinct products held by the active customers, at
        the period end or as_of if earlier; customers without holdings count 0),
        ``cross_sell_rate`` (share of active customers holding >= 2 distinct products),
        ``referred_customers`` and ``referral_rate`` (share of the period's new customers whose
        source is ``referral_value``; unknown sources count as not referred).
        Per-active measures are null when no customer was active; the holdings measures are
        null without ``holdings`` and the referral ones without ``customers`` (or with
        ``source_col=None``) or when the period has no new customer.

    Raises:
        ValueError: a named column is missing (in whichever table should hold it), an
            unknown period, or unusable transactions (see ``customer_summary``).
    """
    c = period_kpi_components(
        transactions,
        customers=customers,
        holdings=holdings,
        costs=costs,
        customer_col=customer_col,
        time_col=time_col,
        amount_col=amount_col,
        channel_col=channel_col,
        margin_col=margin_col,
        group_col=group_col,
        period=period,
        as_of=as_of,
        product_col=product_col,
        opened_col=opened_col,
        source_col=source_col,
        referral_value=referral_value,
        drop_duplicates=drop_duplicates,
    )
    active = c.active_customers
    retention = _ratio(c.retained_customers, c.previous_active)
    gsel = {group_col: c[group_col]} if group_col is not None else {}
    return c.select(
        **gsel,
        period=c.period,
        active_customers=active,
        new_customers=c.new_customers,
        returning_customers=active - c.new_customers,
        retained_customers=c.retained_customers,
        retention_rate=retention,
        churn_rate=1.0 - retention,  # null stays null
        revenue=c.revenue,
        revenue_per_active=_ratio(c.revenue, active),
        cost=c.cost,
        profit=c.profit,
        profit_per_active=_ratio(c.profit, active),
        products_per_customer=_ratio(c.products_held, active),
        cross_sell_rate=_ratio(c.cross_sold, active),
        referred_customers=c.referred_customers,
        referral_rate=_ratio(c.referred_customers, c.new_customers),
    ).order_by([*gsel, "period"])


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
    cp, _ = _customer_periods(
        transactions, customer_col, time_col, amount_col, as_of, drop_duplicates
    )
    active = cp.filter(cp.purchases > 0).select(customer_col, month=cp.period)
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
