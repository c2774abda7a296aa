"""Lifecycle status with its history of moves, and value tier, agreeing with the purchases.

Each customer's purchases are walked in time order and every move is kept with its date and
the reason an operator would write:

- the first purchase makes a prospect new, the second repeat, the twelfth loyal;
- 180 days without a purchase make the customer inactive, 365 days lost;
- a purchase after such a pause wins them back; still buying half a year after that comeback
  (no new 180-day pause), they count as repeat or loyal again by their purchases so far. A
  won-back customer's twelfth purchase waits for that half year.

So a customer who bought, lapsed and came back twice has a dozen moves, and the latest one
always ends in the current status.
"""

from dataclasses import dataclass

import numpy as np

from guanxi.customers.models import LifecycleStatus as S
from guanxi.customers.models import ValueTier
from guanxi.demo.behaviour import DAY, Purchases

INACTIVE_AFTER = 180 * DAY
LOST_AFTER = 365 * DAY
WON_BACK_FOR = 180 * DAY  # how long a comeback counts as one
LOYAL_PURCHASES = 12
# Value tiers by revenue rank inside a chunk (chunks are random samples of the customer base).
TIER_SHARES = ((ValueTier.PLATINUM, 0.02), (ValueTier.GOLD, 0.08), (ValueTier.SILVER, 0.20))

STATUSES = (S.PROSPECT, S.NEW, S.REPEAT, S.LOYAL, S.INACTIVE, S.LOST, S.WON_BACK)
PROSPECT, NEW, REPEAT, LOYAL, INACTIVE, LOST, WON_BACK = range(len(STATUSES))
# The reasons as an operator would write them, in the order moves at one instant are made.
REASONS = (
    "首次购买",
    "再次购买",
    f"累计购买满{LOYAL_PURCHASES}次",
    "超过180天未购买",
    "超过365天未购买",
    "沉寂半年以上后再次购买",
    "流失后再次购买",
    "挽回满半年且仍在购买",
)
FIRST, SECOND, LOYALTY, IDLE, GONE, BACK, BACK_FROM_LOST, SETTLED = range(len(REASONS))


@dataclass(frozen=True)
class Moves:
    """Lifecycle moves sorted by customer then time: one row per move."""

    owner: np.ndarray  # local customer index
    at: np.ndarray  # epoch seconds
    from_status: np.ndarray  # status values
    to_status: np.ndarray
    reason: np.ndarray


@dataclass(frozen=True)
class Lifecycle:
    """Per customer the current status, and every move that led to it."""

    status: np.ndarray
    moves: Moves


def lifecycles(purchases: Purchases, end: int) -> Lifecycle:
    """Walk every customer's purchases (refunds are not purchases) up to ``end``."""
    owner, at, starts = purchases.owner, purchases.at, purchases.starts
    k = np.arange(at.size) - starts[owner] + 1  # the purchase's number in the customer's history
    before, after = _pauses(purchases, end)
    comeback = before > INACTIVE_AFTER
    won_back = _within_comeback(purchases, comeback)
    # Half a year after a comeback the customer counts as repeat or loyal again, unless they
    # paused for 180 days after it (then they are inactive before that).
    settled = comeback & (after <= INACTIVE_AFTER) & (at + WON_BACK_FOR < end)
    settle_at = at[settled] + WON_BACK_FOR
    bought = _purchases_by(purchases, owner[settled], settle_at)
    moves = [
        (k == 1, at, NEW, FIRST),
        ((k == 2) & ~comeback, at, REPEAT, SECOND),
        ((k == LOYAL_PURCHASES) & ~won_back, at, LOYAL, LOYALTY),
        (after > INACTIVE_AFTER, at + INACTIVE_AFTER, INACTIVE, IDLE),
        (after > LOST_AFTER, at + LOST_AFTER, LOST, GONE),
        (comeback & (before <= LOST_AFTER), at, WON_BACK, BACK),
        (comeback & (before > LOST_AFTER), at, WON_BACK, BACK_FROM_LOST),
    ]
    parts = [
        (owner[m], when[m], np.full(m.sum(), to), np.full(m.sum(), why))
        for m, when, to, why in moves
    ]
    settled_to = np.where(bought >= LOYAL_PURCHASES, LOYAL, REPEAT)
    parts.append((owner[settled], settle_at, settled_to, np.full(settle_at.size, SETTLED)))
    return _history(purchases.counts.size, *(np.concatenate(c) for c in zip(*parts, strict=True)))


def _pauses(purchases: Purchases, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Per purchase: the pause before it (0 for a customer's first) and after it (until the
    customer's next purchase, or until ``end`` after their last)."""
    at = purchases.at
    first = np.zeros(at.size, dtype=bool)
    first[purchases.starts[purchases.counts > 0]] = True
    before = np.zeros_like(at)
    before[1:] = np.diff(at)
    before[first] = 0
    after = np.empty_like(at)
    after[:-1] = before[1:]
    last = _last_of_each(first)
    after[last] = end - at[last]
    return before, after


def _within_comeback(purchases: Purchases, comeback: np.ndarray) -> np.ndarray:
    """Per purchase: whether it falls in the half year after one of the customer's comebacks
    (the comeback itself included)."""
    index = np.arange(comeback.size)
    latest = np.maximum.accumulate(np.where(comeback, index, -1))
    ours = latest >= purchases.starts[purchases.owner]
    return ours & (purchases.at - purchases.at[np.maximum(latest, 0)] <= WON_BACK_FOR)


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


def _purchases_by(purchases: Purchases, owner: np.ndarray, when: np.ndarray) -> np.ndarray:
    """How many purchases each ``owner`` had made by ``when`` (one query per row)."""
    key = purchases.owner.astype(np.int64) << 32 | purchases.at
    found = np.searchsorted(key, owner.astype(np.int64) << 32 | when, side="right")
    return found - purchases.starts[owner]


def _history(size: int, owner, at, to, why) -> Lifecycle:
    """Moves in customer and time order, each from the status the one before led to."""
    order = np.lexsort((why, at, owner))
    owner, at, to, why = owner[order], at[order], to[order], why[order]
    first = np.ones(owner.size, dtype=bool)
    first[1:] = owner[1:] != owner[:-1]
    came_from = np.full(to.size, PROSPECT)
    came_from[1:] = to[:-1]
    came_from[first] = PROSPECT
    values = np.array([s.value for s in STATUSES], dtype=object)
    status = np.full(size, S.PROSPECT.value, dtype=object)
    latest = _last_of_each(first)
    status[owner[latest]] = values[to[latest]]
    return Lifecycle(
        status=status,
        moves=Moves(
            owner=owner,
            at=at.astype(np.int64),
            from_status=values[came_from],
            to_status=values[to],
            reason=np.array(REASONS, dtype=object)[why],
        ),
    )


def _last_of_each(first: np.ndarray) -> np.ndarray:
    """Where each run ends, given where each run starts (runs laid end to end)."""
    last = np.zeros(first.size, dtype=bool)
    last[:-1] = first[1:]
    last[-1:] = True
    return last
