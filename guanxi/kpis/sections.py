"""How the KPI page is put together: sections, each read in a few grouped queries.

A section ``collect``s raw, addable figures per group key (counts, sums, lists of
durations) and ``finish``es a group's raw figures into what is shown (rates, medians). The
total of the scope is the groups' raw figures added up and finished the same way, so a
total rate is never an average of rates.

A section is one more entry in ``guanxi.kpis.selectors.SECTIONS``.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from guanxi.kpis.period import Period
from guanxi.kpis.scope import KpiScope

Raw = dict[str, Any]


@dataclass(frozen=True)
class Context:
    """What sections read besides the scope and the period: the contact rules in force, and
    the time of reading (a period still running is measured up to it)."""

    rules: list  # guanxi.activities.contact_rules.Rule, top tier first
    now: dt.datetime


@dataclass(frozen=True)
class Section:
    """One block of figures: how to read it per group, and how to show a group's raw sums."""

    name: str
    collect: Callable[[KpiScope, Period, Context], dict[Any, Raw]]
    finish: Callable[[Raw, Period, Context], dict[str, Any]]


def add(total: Any, more: Any) -> Any:
    """Add raw figures: numbers add, lists join, dicts add key by key (``None`` is none)."""
    if total is None:
        return more
    if more is None:
        return total
    if isinstance(total, dict):
        return {k: add(total.get(k), more.get(k)) for k in total.keys() | more.keys()}
    return total + more
