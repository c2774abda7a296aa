"""Configurable customer scoring: weighted, normalised indicators -> score 0-100 -> ranks.

An administrator defines indicators (:class:`Indicator`): a column, a weight, a direction
(higher or lower is better) and a normalisation that maps the column to [0, 1]:

``minmax``
    ``(x - min) / (max - min)``; 1 for every row when all values are equal.
``percentile``
    percentile rank ``rank / (n - 1)`` with ties at their lowest rank (0 = lowest value).
``zscore``
    ``z = (x - mean) / std`` clipped to ``[-clip, clip]`` and mapped linearly to [0, 1]
    (``(z + clip) / (2 * clip)``); 0.5 for every row when the standard deviation is 0.

For lower-is-better indicators the normalised value is ``1 - v``. A null value counts as the
worst (0). The score is ``100 * sum(w * v) / sum(w)``. Statistics (min, max, mean, std,
ranks) are over the whole table, not per group, so scores compare across branches; ranks are
given both within the group (e.g. branch) and overall (1 = best, ties share a rank).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import ibis
import ibis.expr.types as ir

from guanxi.analytics.summary import require_columns

__all__ = ["Indicator", "normalise", "score_customers"]

Normalisation = Literal["minmax", "percentile", "zscore"]


@dataclass(frozen=True)
class Indicator:
    """One scoring indicator (see the module docstring)."""

    column: str
    weight: float = 1.0
    direction: Literal["higher", "lower"] = "higher"
    normalisation: Normalisation = "minmax"
    clip: float = 3.0

    def __post_init__(self) -> None:
        if self.weight < 0:
            raise ValueError(f"indicator {self.column!r}: weight must be >= 0")
        if self.direction not in ("higher", "lower"):
            raise ValueError(f"indicator {self.column!r}: direction must be 'higher' or 'lower'")
        if self.normalisation not in ("minmax", "percentile", "zscore"):
            raise ValueError(
                f"indicator {self.column!r}: normalisation must be minmax, percentile or zscore"
            )
        if self.clip <= 0:
            raise ValueError(f"indicator {self.column!r}: clip must be > 0")


def normalise(table: ir.Table, indicator: Indicator) -> ir.FloatingValue:
    """The indicator's column of ``table`` mapped to [0, 1] (1 = best), nulls -> 0."""
    require_columns(table, indicator.column)
    x = table[indicator.column].cast("float64")
    whole = ibis.window()
    if indicator.normalisation == "minmax":
        lo, hi = x.min().over(whole), x.max().over(whole)
        v = ibis.ifelse(hi > lo, (x - lo) / (hi - lo), 1.0)
    elif indicator.normalisation == "percentile":
        # rank among non-null values only (partitioned apart; nulls are set to 0 below), so
        # backends that sort nulls first give the same answer
        n = x.count().over(whole)
        r = ibis.rank().over(group_by=x.isnull(), order_by=x)
        v = ibis.ifelse(n > 1, r.cast("float64") / (n - 1).cast("float64"), 1.0)
    else:
        mean, std = x.mean().over(whole), x.std(how="pop").over(whole)
        c = float(indicator.clip)
        z = ((x - mean) / std).clip(lower=-c, upper=c)
        v = ibis.ifelse(std > 0, (z + c) / (2.0 * c), 0.5)
    if indicator.direction == "lower":
        v = 1.0 - v
    return ibis.ifelse(x.isnull(), 0.0, v).cast("float64")


def score_customers(
    customers: ir.Table,
    indicators: Sequence[Indicator],
    *,
    customer_col: str = "customer_id",
    group_col: str | None = None,
    keep_components: bool = True,
) -> ir.Table:
    """Score every customer 0-100 and rank within ``group_col`` and overall.

    Args:
        customers: one row per customer with the indicator columns (and ``group_col``).
        indicators: the administrator's indicators (at least one with a positive weight).
        group_col: e.g. the branch; omitted -> ``group_rank`` equals ``overall_rank``.
        keep_components: also return each indicator's normalised value as ``n_<column>``.

    Returns:
        ``<customer_col>``, ``<group_col>`` (if given), ``score`` (0-100),
        ``group_rank``, ``overall_rank`` (1 = best; ties share the best rank), and
        ``n_<column>`` per indicator if ``keep_components``.
    """
    if not indicators:
        raise ValueError("indicators is empty")
    total_weight = float(sum(i.weight for i in indicators))
    if total_weight <= 0:
        raise ValueError("the indicators' weights sum to 0")
    cols = [i.column for i in indicators]
    if len(set(cols)) != len(cols):
        raise ValueError("each indicator column may appear only once")
    require_columns(customers, customer_col, group_col, *cols, what="customers")
    comps = {f"n_{i.column}": normalise(customers, i) for i in indicators}
    weighted = [comps[f"n_{i.column}"] * i.weight for i in indicators]
    score = sum(weighted[1:], weighted[0]) * (100.0 / total_weight)
    keys = [customer_col] + ([group_col] if group_col else [])
    t = customers.select(*keys, score=score, **(comps if keep_components else {}))
    overall = ibis.rank().over(order_by=t.score.desc()) + 1
    if group_col:
        group = ibis.rank().over(group_by=t[group_col], order_by=t.score.desc()) + 1
    else:
        group = overall
    t = t.mutate(group_rank=group.cast("int64"), overall_rank=overall.cast("int64"))
    return t.select(
        *keys, "score", "group_rank", "overall_rank", *(comps if keep_components else [])
    )
