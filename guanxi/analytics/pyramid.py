"""The customer pyramid: value x loyalty levels A-D plus inactive, potential and suspect.

Banking practice (HSBC's customer pyramid): active customers are split by value (high = top
20 % by 12-month revenue) and loyalty (a composite of purchase frequency, recency, tenure and
products held, cut at the median):

=========  ==========  ============  =====================================================
level      value       loyalty       meaning
=========  ==========  ============  =====================================================
A          high        high          keep and grow (重点维护)
B          high        low           valuable but at risk: raise loyalty
C          low         high          loyal, grow their value (cross-/up-sell)
D          low         low           serve at low cost
inactive   --          --            holds accounts/products but barely transacts
potential  --          --            former customers, or related parties without an account
suspect    --          --            never a customer (a prospect)
=========  ==========  ============  =====================================================

Which customers are *active* (placed in A-D) and every cut-off are set by
:class:`PyramidConfig`. All computation is Ibis window functions and joins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from guanxi.analytics.code_names import with_names
from guanxi.analytics.summary import require_columns

__all__ = ["LEVEL_NAMES", "LoyaltyComponent", "PyramidConfig", "customer_pyramid", "pyramid_counts"]

LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "A": ("High value, high loyalty", "高价值高忠诚"),
    "B": ("High value, low loyalty", "高价值低忠诚"),
    "C": ("Low value, high loyalty", "低价值高忠诚"),
    "D": ("Low value, low loyalty", "低价值低忠诚"),
    "inactive": ("Inactive", "不活跃客户"),
    "potential": ("Potential", "潜在客户"),
    "suspect": ("Suspect", "疑似客户"),
}
"""Level code -> (English, Chinese) display names."""

PRODUCTS_HELD = "products_held"


@dataclass(frozen=True)
class LoyaltyComponent:
    """One input of the loyalty composite: a column, its weight and direction.

    The column ``"products_held"`` is virtual: the holdings count if a holdings table is
    given, else the summary's ``n_products`` if present; when neither exists the component is
    skipped. Any other column must exist in the summary.
    """

    column: str
    weight: float = 1.0
    higher_is_better: bool = True


@dataclass(frozen=True)
class PyramidConfig:
    """Cut-offs and measures of :func:`customer_pyramid`.

    Attributes:
        value_col: the value measure (default trailing 12-month net revenue).
        value_top_fraction: share of active customers that is "high value" (ties at the
            boundary are all in); ignored if ``value_threshold`` is set.
        value_threshold: absolute cut-off: high value iff ``value >= value_threshold``.
        loyalty_components: the composite = weighted mean of each component's percentile
            rank among active customers (0 = worst, 1 = best).
        loyalty_cut: high loyalty iff the composite's percentile position is at or above this
            fraction (0.5 = the median).
        active_col, active_min: a summary customer is active iff ``active_col >= active_min``
            (default at least one purchase in the last 12 months).
        customer_statuses: status values meaning "holds an account" (-> inactive when not
            active).
        potential_statuses: status values meaning former customer or related party.
        holdings_col: the count column of the holdings table.
        status_col: the status column of the status table.
    """

    value_col: str = "revenue_12m"
    value_top_fraction: float = 0.2
    value_threshold: float | None = None
    loyalty_components: Sequence[LoyaltyComponent] = field(
        default_factory=lambda: (
            LoyaltyComponent("n_purchases", 1.0, True),
            LoyaltyComponent("days_since_last", 1.0, False),
            LoyaltyComponent("T", 1.0, True),
            LoyaltyComponent(PRODUCTS_HELD, 1.0, True),
        )
    )
    loyalty_cut: float = 0.5
    active_col: str = "purchases_12m"
    active_min: float = 1
    customer_statuses: Sequence[str] = ("customer", "active", "dormant")
    potential_statuses: Sequence[str] = ("former", "closed", "related")
    holdings_col: str = "n_holdings"
    status_col: str = "status"

    def __post_init__(self) -> None:
        if not 0 < self.value_top_fraction < 1:
            raise ValueError("value_top_fraction must be between 0 and 1")
        if not 0 < self.loyalty_cut < 1:
            raise ValueError("loyalty_cut must be between 0 and 1")
        if not self.loyalty_components:
            raise ValueError("loyalty_components is empty")
        if any(c.weight < 0 for c in self.loyalty_components):
            raise ValueError("loyalty weights must be >= 0")


def customer_pyramid(
    summary: ir.Table,
    *,
    holdings: ir.Table | None = None,
    status: ir.Table | None = None,
    config: PyramidConfig | None = None,
    customer_col: str = "customer_id",
) -> ir.Table:
    """Place every known customer on the pyramid.

    Args:
        summary: per-customer summary (:func:`guanxi.analytics.summary.customer_summary`),
            with ``config.value_col``, ``config.active_col`` and the loyalty columns.
        holdings: optional ``<customer_col>, <config.holdings_col>`` (accounts/products held).
        status: optional ``<customer_col>, <config.status_col>`` (relationship status).
        config: cut-offs (default :class:`PyramidConfig`).

    The customers placed are the union of the three tables' customers. Order of decision:
    active (in the summary and ``active_col >= active_min``) -> A/B/C/D; else holds
    something (holdings > 0) or has a customer status -> ``inactive``; else bought before
    (in the summary) or has a potential status -> ``potential``; else -> ``suspect``.

    Returns:
        ``<customer_col>``, ``level`` (A, B, C, D, inactive, potential, suspect), ``level_en``,
        ``level_zh``, ``value``, ``loyalty`` (composite in [0, 1], null unless active),
        ``high_value``, ``high_loyalty`` (null unless active).
    """
    cfg = config or PyramidConfig()
    comps = list(cfg.loyalty_components)
    real_cols = [c.column for c in comps if c.column != PRODUCTS_HELD]
    require_columns(
        summary, customer_col, cfg.value_col, cfg.active_col, *real_cols, what="summary"
    )
    if holdings is not None:
        require_columns(holdings, customer_col, cfg.holdings_col, what="holdings")
    if status is not None:
        require_columns(status, customer_col, cfg.status_col, what="status")

    s_cols = {
        customer_col: summary[customer_col],
        "_value": summary[cfg.value_col].cast("float64"),
        "_active": summary[cfg.active_col] >= cfg.active_min,
        "_in_summary": ibis.literal(True),
    }
    for i, c in enumerate(comps):
        if c.column != PRODUCTS_HELD:
            s_cols[f"_c{i}"] = summary[c.column].cast("float64")
    if "n_products" in summary.columns:
        s_cols["_n_products"] = summary["n_products"].cast("float64")
    s = summary.select(**s_cols)

    ids = [s.select(customer_col)]
    h = st = None
    if holdings is not None:
        h = holdings.group_by(customer_col).aggregate(_holdings=holdings[cfg.holdings_col].sum())
        ids.append(h.select(customer_col))
    if status is not None:
        st = status.group_by(customer_col).aggregate(_status=status[cfg.status_col].max())
        ids.append(st.select(customer_col))
    universe = ids[0] if len(ids) == 1 else ibis.union(*ids, distinct=True)

    t = universe.left_join(s, customer_col).select(
        universe[customer_col], *s_cols.keys() - {customer_col}
    )
    if h is not None:
        t = t.left_join(h, customer_col).select(*t.columns, _holdings=h["_holdings"])
    else:
        t = t.mutate(_holdings=ibis.null("float64"))
    if st is not None:
        t = t.left_join(st, customer_col).select(*t.columns, _status=st["_status"])
    else:
        t = t.mutate(_status=ibis.null("string"))

    products = None
    if holdings is not None:
        products = t["_holdings"].fill_null(0).cast("float64")
    elif "_n_products" in t.columns:
        products = t["_n_products"]
    if products is not None:
        t = t.mutate(_products=products)

    active = t["_active"].fill_null(False)
    t = t.mutate(_is_active=active)
    act = t.filter(t["_is_active"])
    rest = t.filter(~t["_is_active"])

    # loyalty composite over active customers: weighted mean of percentile ranks
    parts = []
    weights = []
    for i, c in enumerate(comps):
        col_name = "_products" if c.column == PRODUCTS_HELD else f"_c{i}"
        if col_name not in act.columns or c.weight == 0:
            continue
        col = act[col_name]
        key = col if c.higher_is_better else col.desc()
        pr = ibis.ifelse(col.isnull(), 0.0, ibis.percent_rank().over(order_by=key))
        parts.append(pr * c.weight)
        weights.append(c.weight)
    if not weights:
        raise ValueError("no loyalty component is available (all skipped or zero weight)")
    composite = sum(parts[1:], parts[0]) / float(sum(weights))
    act = act.mutate(_loyalty=composite)
    n = act["_value"].isnull().count().over()
    if cfg.value_threshold is not None:
        high_value = act["_value"] >= cfg.value_threshold
    else:
        value_rank = ibis.rank().over(order_by=act["_value"].desc())
        high_value = (value_rank < n * cfg.value_top_fraction) & (act["_value"] > 0)
    loyalty_rank = ibis.rank().over(order_by=act["_loyalty"])
    high_loyalty = loyalty_rank >= n * cfg.loyalty_cut
    act = act.mutate(_high_value=high_value.fill_null(False), _high_loyalty=high_loyalty)
    act = act.mutate(
        level=ibis.cases(
            (act["_high_value"] & act["_high_loyalty"], "A"),
            (act["_high_value"], "B"),
            (act["_high_loyalty"], "C"),
            else_="D",
        )
    )

    cust_statuses = list(cfg.customer_statuses)
    pot_statuses = list(cfg.potential_statuses)
    holds = rest["_holdings"].fill_null(0) > 0
    status_v = rest["_status"]
    rest = rest.mutate(
        _loyalty=ibis.null("float64"),
        _high_value=ibis.null("boolean"),
        _high_loyalty=ibis.null("boolean"),
        level=ibis.cases(
            (holds | status_v.isin(cust_statuses).fill_null(False), "inactive"),
            (rest["_in_summary"].fill_null(False), "potential"),
            (status_v.isin(pot_statuses).fill_null(False), "potential"),
            else_="suspect",
        ),
    )
    cols = [customer_col, "level", "_value", "_loyalty", "_high_value", "_high_loyalty"]
    both = act.select(*cols).union(rest.select(*cols))
    both = with_names(both, "level", LEVEL_NAMES)
    return both.select(
        customer_col,
        "level",
        "level_en",
        "level_zh",
        value=both["_value"].fill_null(0.0),
        loyalty=both["_loyalty"],
        high_value=both["_high_value"],
        high_loyalty=both["_high_loyalty"],
    )


def pyramid_counts(pyramid: ir.Table) -> ir.Table:
    """Customers, share of customers, value and share of value per pyramid level.

    Columns: ``level``, ``level_en``, ``level_zh``, ``customers``, ``customer_share``,
    ``value``, ``value_share``.
    """
    require_columns(pyramid, "level", "level_en", "level_zh", "value", what="pyramid")
    out = pyramid.group_by(["level", "level_en", "level_zh"]).aggregate(
        customers=pyramid.count(), value=pyramid["value"].sum()
    )
    return out.mutate(
        customer_share=out.customers / out.customers.sum().over(),
        value_share=out.value / out.value.sum().over(),
    )
