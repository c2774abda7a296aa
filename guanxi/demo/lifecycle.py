"""Lifecycle status and value tier that agree with each customer's purchase history."""

from dataclasses import dataclass

import numpy as np

from guanxi.customers.models import LifecycleStatus as S
from guanxi.customers.models import ValueTier
from guanxi.demo.behaviour import DAY, Purchases

INACTIVE_AFTER = 180 * DAY
LOST_AFTER = 365 * DAY
LOYAL_PURCHASES = 12
# Value tiers by revenue rank inside a chunk (chunks are random samples of the customer base).
TIER_SHARES = ((ValueTier.PLATINUM, 0.02), (ValueTier.GOLD, 0.08), (ValueTier.SILVER, 0.20))

# status: (previous status, reason for the move), the reasons as an operator would write them.
_MOVES = {
    S.NEW: (S.PROSPECT, "首次购买"),
    S.REPEAT: (S.NEW, "再次购买"),
    S.LOYAL: (S.REPEAT, f"累计购买满{LOYAL_PURCHASES}次"),
    S.INACTIVE: (S.REPEAT, "超过180天未购买"),
    S.LOST: (S.INACTIVE, "超过365天未购买"),
    S.WON_BACK: (S.INACTIVE, "沉寂半年以上后再次购买"),
}


@dataclass(frozen=True)
class Lifecycle:
    """Per customer: status, and for those who moved, when and from what."""

    status: np.ndarray
    changed_at: np.ndarray  # epoch seconds; -1 for prospects who never moved
    from_status: np.ndarray
    reason: np.ndarray


def lifecycles(purchases: Purchases, last_purchase: np.ndarray, end: int) -> Lifecycle:
    """Classify customers by recency, frequency and comebacks, latest rule winning last.

    Rules are applied from weakest to strongest so a later ``np.where`` overrides an
    earlier one: new < repeat < loyal < won back < inactive < lost.
    """
    counts, starts, at = purchases.counts, purchases.starts, purchases.at
    n = counts.size
    status = np.full(n, S.PROSPECT.value, dtype=object)
    changed = np.full(n, -1, dtype=np.int64)
    gap, gap_end = _longest_gaps(purchases)
    recency = end - last_purchase
    rules = [
        (counts >= 1, S.NEW, lambda: _nth(at, starts, counts, 1)),
        (counts >= 2, S.REPEAT, lambda: _nth(at, starts, counts, 2)),
        (counts >= LOYAL_PURCHASES, S.LOYAL, lambda: _nth(at, starts, counts, LOYAL_PURCHASES)),
        (_won_back(gap, gap_end, counts, end), S.WON_BACK, lambda: gap_end),
        (
            (counts >= 1) & (recency > INACTIVE_AFTER),
            S.INACTIVE,
            lambda: last_purchase + INACTIVE_AFTER,
        ),
        ((counts >= 1) & (recency > LOST_AFTER), S.LOST, lambda: last_purchase + LOST_AFTER),
    ]
    for applies, to, when in rules:
        status = np.where(applies, to.value, status)
        changed = np.where(applies, when(), changed)
    moves = {s.value: (str(prev), reason) for s, (prev, reason) in _MOVES.items()}
    from_status = np.array([moves.get(s, ("", ""))[0] for s in status.tolist()], dtype=object)
    reason = np.array([moves.get(s, ("", ""))[1] for s in status.tolist()], dtype=object)
    return Lifecycle(status, changed, from_status, reason)


def value_tiers(revenue_cents: np.ndarray) -> np.ndarray:
    """Platinum, gold, silver for the top 2%, next 8%, next 20% by revenue; standard else."""
    tiers = np.full(revenue_cents.size, ValueTier.STANDARD.value, dtype=object)
    order = np.argsort(-revenue_cents, kind="stable")
    position = 0
    for tier, share in TIER_SHARES:
        size = int(round(share * revenue_cents.size))
        chosen = order[position : position + size]
        tiers[chosen[revenue_cents[chosen] > 0]] = tier.value
        position += size
    return tiers


def _won_back(gap, gap_end, counts, end: int) -> np.ndarray:
    """Came back within the last half year after a pause long enough to count as inactive."""
    return (counts >= 2) & (gap > INACTIVE_AFTER) & (end - gap_end <= INACTIVE_AFTER)


def _nth(at: np.ndarray, starts: np.ndarray, counts: np.ndarray, k: int) -> np.ndarray:
    """Time of each customer's k-th purchase (garbage where they made fewer)."""
    index = np.minimum(starts + k - 1, at.size - 1)
    return at[np.maximum(index, 0)] if at.size else np.zeros(counts.size, dtype=np.int64)


def _longest_gaps(purchases: Purchases) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's longest pause between purchases and when it ended."""
    n = purchases.counts.size
    gap = np.zeros(n, dtype=np.int64)
    gap_end = np.zeros(n, dtype=np.int64)
    if purchases.at.size < 2:
        return gap, gap_end
    pauses = np.diff(purchases.at)
    same = purchases.owner[1:] == purchases.owner[:-1]
    pauses = np.where(same, pauses, -1)
    # Sort by (customer, pause) so the last entry per customer is its longest pause.
    order = np.lexsort((pauses, purchases.owner[1:]))
    owners = purchases.owner[1:][order]
    last = np.flatnonzero(np.r_[owners[1:] != owners[:-1], True])
    gap[owners[last]] = np.maximum(pauses[order][last], 0)
    gap_end[owners[last]] = purchases.at[1:][order][last]
    return gap, gap_end
