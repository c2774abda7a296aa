"""Tags and customer groups in use: a few of each, with members that fit their names.

The tags and groups are created once, before the customers (a handful of rows, through the
ORM); each chunk then picks its customers' tags and static-group memberships from what it
knows about them (holdings, AUM, lifecycle status, value tier, refunds). Saved-filter groups
have no members to write: their filter (by status, tier or branch) is evaluated on use.

Like the customers themselves these rows are written straight into the store, not through
the group and tag services: they record no audit entries and publish no domain events,
because nobody did anything. Names are data, in Chinese, as the demo's names are.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from guanxi.customers.models import (
    Customer,
    CustomerGroup,
    GroupKind,
    GroupMembership,
    ProductKind,
    Tag,
)
from guanxi.customers.models import LifecycleStatus as S
from guanxi.customers.models import ValueTier as T
from guanxi.customers.selectors import clean_list_filter
from guanxi.demo.industries import Industry
from guanxi.demo.tables import Kind, Table

HIGH_NET_WORTH = 1_000_000_00  # cents of AUM: tagged 高净值
PRIVATE_BANKING_CANDIDATE = 3_000_000_00  # cents of AUM: on the private banking shortlist
PAYROLL_SHARE = 0.5  # of working-age people with a current account: salary paid through us
COMPLAINED_SHARE = (0.015, 0.04)  # customers who complained: without, with a refund
ACTIVE = (S.NEW.value, S.REPEAT.value, S.LOYAL.value, S.WON_BACK.value)
LAPSED = (S.INACTIVE.value, S.LOST.value)


@dataclass(frozen=True)
class Labels:
    """Database ids of the demo's tags and static groups, by name."""

    tags: dict[str, int]
    groups: dict[str, int]


@dataclass(frozen=True)
class Facts:
    """What the tag and group rules read about each customer of a chunk."""

    organisation: np.ndarray
    age: np.ndarray
    status: np.ndarray
    tier: np.ndarray
    holds: np.ndarray  # customers x catalogue: open holdings
    aum: np.ndarray  # cents
    refunded: np.ndarray  # had at least one refund

    def holding(self, industry: Industry, *codes: str) -> np.ndarray:
        """Holds any of the products with these codes."""
        columns = [i for i, p in enumerate(industry.products) if p.code in codes]
        return self.holds[:, columns].any(axis=1)

    def holding_kind(self, industry: Industry, kind: ProductKind) -> np.ndarray:
        """Holds any product of this kind."""
        columns = [i for i, p in enumerate(industry.products) if p.kind == kind]
        return self.holds[:, columns].any(axis=1)

    def tiered(self, *tiers: T) -> np.ndarray:
        """In one of these value tiers."""
        return np.isin(self.tier, [t.value for t in tiers])


# A rule: (random generator, industry, facts) -> which customers of the chunk qualify.
Rule = Callable[[np.random.Generator, Industry, Facts], np.ndarray]


def _complained(rng: np.random.Generator, _industry: Industry, f: Facts) -> np.ndarray:
    """Some customers complained once; more of those who had something refunded."""
    without, with_refund = COMPLAINED_SHARE
    return rng.random(f.age.size) < np.where(f.refunded, with_refund, without)


def _payroll(rng: np.random.Generator, industry: Industry, f: Facts) -> np.ndarray:
    """Working-age people whose salary is paid into a current account with us."""
    working = ~f.organisation & (f.age >= 22) & (f.age < 60)
    chosen = rng.random(f.age.size) < PAYROLL_SHARE
    return working & f.holding(industry, "DEP-DEMAND") & chosen


TAGS: dict[str, dict[str, Rule]] = {
    "bank": {
        "代发工资": _payroll,
        "房贷客户": lambda _rng, i, f: f.holding(i, "LN-MORT"),
        "理财客户": lambda _rng, i, f: f.holding_kind(i, ProductKind.WEALTH),
        "高净值": lambda _rng, _i, f: f.aum >= HIGH_NET_WORTH,
        "投诉过": _complained,
    },
    "telecom": {
        "5G用户": lambda _rng, i, f: f.holding(i, "5G-128", "5G-198"),
        "家庭融合": lambda _rng, i, f: f.holding(i, "FAMILY-169"),
        "千兆宽带": lambda _rng, i, f: f.holding(i, "BB-1000M"),
        "投诉过": _complained,
    },
}


def _valued_and_active(_rng, _industry: Industry, f: Facts) -> np.ndarray:
    return np.isin(f.status, ACTIVE) & f.tiered(T.PLATINUM, T.GOLD, T.SILVER)


def _valued_and_lapsed(_rng, _industry: Industry, f: Facts) -> np.ndarray:
    return np.isin(f.status, LAPSED) & f.tiered(T.PLATINUM, T.GOLD)


def static_groups(industry: Industry, end: int) -> dict[str, Rule]:
    """The static groups and who is in them: a marketing list for the coming Spring
    Festival, a shortlist, and valuable customers to win back."""
    shortlist: dict[str, Rule] = {
        "bank": {"私人银行候选": lambda _rng, _i, f: f.aum >= PRIVATE_BANKING_CANDIDATE},
        "telecom": {
            "5G升级候选": lambda _rng, i, f: (
                f.holding(i, "4G-58")
                & ~f.holding(i, "5G-128", "5G-198")
                & np.isin(f.status, ACTIVE)
            )
        },
    }[industry.key]
    return {
        f"{_spring_festival_year(end)} 春节营销名单": _valued_and_active,
        **shortlist,
        "流失客户挽回名单": _valued_and_lapsed,
    }


def saved_filter_groups(branches: list[tuple[int, str]]) -> dict[str, dict]:
    """Saved-filter groups by status, tier and branch (``branches``: (id, name), biggest
    first)."""
    groups = {
        "忠诚客户": {"status": S.LOYAL.value},
        "沉睡客户": {"status": S.INACTIVE.value},
        "白金客户": {"value_tier": T.PLATINUM.value},
    }
    if branches:
        branch_id, name = branches[0]
        groups[f"{name}黄金客户"] = {"branch_id": branch_id, "value_tier": T.GOLD.value}
    return groups


def ensure_labels(industry: Industry, end: int, branches: list[tuple[int, str]]) -> Labels:
    """Create the demo's tags and groups that do not exist yet; their ids by name."""
    tags = {name: Tag.objects.get_or_create(name=name)[0].pk for name in TAGS[industry.key]}
    groups = {}
    for name in static_groups(industry, end):
        group, _ = CustomerGroup.objects.get_or_create(
            name=name, defaults={"kind": GroupKind.STATIC}
        )
        groups[name] = group.pk
    for name, saved in saved_filter_groups(branches).items():
        CustomerGroup.objects.get_or_create(
            name=name, defaults={"kind": GroupKind.SAVED_FILTER, "filter": clean_list_filter(saved)}
        )
    return Labels(tags=tags, groups=groups)


def label_tables(
    rng: np.random.Generator,
    industry: Industry,
    labels: Labels,
    customer_ids: np.ndarray,
    facts: Facts,
    end: int,
) -> tuple[Table, Table]:
    """The chunk's customer-tag rows and static-group memberships (added at ``end``)."""
    tagged = _members(rng, industry, facts, TAGS[industry.key], labels.tags)
    tags = Table(Customer.tags.through)
    tags.add("customer_id", Kind.INT, customer_ids[tagged[1]])
    tags.add("tag_id", Kind.INT, tagged[0])
    grouped = _members(rng, industry, facts, static_groups(industry, end), labels.groups)
    memberships = Table(GroupMembership)
    memberships.add("group_id", Kind.INT, grouped[0])
    memberships.add("customer_id", Kind.INT, customer_ids[grouped[1]])
    memberships.add("added_at", Kind.TIMESTAMP, end)
    return tags, memberships


def _members(
    rng: np.random.Generator,
    industry: Industry,
    facts: Facts,
    rules: dict[str, Rule],
    ids: dict[str, int],
) -> tuple[np.ndarray, np.ndarray]:
    """(label id, local customer index) of every customer each rule picks, rule by rule."""
    picked = [np.flatnonzero(rule(rng, industry, facts)) for rule in rules.values()]
    label = np.repeat(
        np.array([ids[name] for name in rules], dtype=np.int64), [p.size for p in picked]
    )
    return label, np.concatenate(picked) if picked else np.zeros(0, dtype=np.int64)


def _spring_festival_year(end: int) -> int:
    """The Spring Festival the marketing list prepares for: this year's in January (it falls
    between 21 January and 20 February), next year's from February on."""
    today = dt.datetime.fromtimestamp(end, tz=dt.UTC).astimezone(timezone.get_default_timezone())
    return today.year if today.month == 1 else today.year + 1
