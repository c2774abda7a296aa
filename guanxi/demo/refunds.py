"""Refunds of earlier purchases, and the transaction log they make with the purchases.

A refund reverses one purchase of the same customer, in full or in part, a few days after
it: the same product and channel, never more than was paid, and each purchase at most once.
So no customer is ever refunded more than they bought, and the largest refund is bounded by
the largest purchase. Refunds are extra rows: the purchases (and so who stops buying) are
exactly the simulated ones.
"""

from dataclasses import dataclass

import numpy as np

from guanxi.demo.behaviour import DAY, Purchases
from guanxi.demo.industries import Industry
from guanxi.demo.spending import Spending

MEAN_DELAY_DAYS = 6.0  # a refund comes this long after its purchase on average ...
MAX_DELAY_DAYS = 30.0  # ... and at the latest this long after it
PARTIAL_SHARE = (0.1, 0.9)  # a partial refund returns this share of the purchase, uniformly


@dataclass(frozen=True)
class Ledger:
    """Every transaction of a chunk (purchases and refunds), sorted by customer then time."""

    owner: np.ndarray  # local customer index
    at: np.ndarray  # epoch seconds
    product: np.ndarray  # index into the catalogue
    cents: np.ndarray  # negative for refunds
    channel: np.ndarray  # index into the industry's channels


def draw_refunds(
    rng: np.random.Generator,
    industry: Industry,
    purchases: Purchases,
    spending: Spending,
    end: int,
) -> Ledger:
    """Refunds of some purchases, at the rate their product kind is refunded (unsorted).

    A refund that would fall after ``end`` has not happened yet and is left out.
    """
    rate = np.array([_refunds(industry, p.kind)[0] for p in industry.products])
    full_share = np.array([_refunds(industry, p.kind)[1] for p in industry.products])
    refunded = np.flatnonzero(rng.random(spending.product.size) < rate[spending.product])
    product = spending.product[refunded]
    full = rng.random(refunded.size) < full_share[product]
    share = np.where(full, 1.0, rng.uniform(*PARTIAL_SHARE, refunded.size))
    paid = spending.cents[refunded]
    cents = np.maximum(np.round(paid * share), 1).astype(np.int64)
    delay = np.minimum(1.0 + rng.exponential(MEAN_DELAY_DAYS - 1.0, refunded.size), MAX_DELAY_DAYS)
    at = purchases.at[refunded] + (delay * DAY).astype(np.int64)
    done = at < end
    return Ledger(
        owner=purchases.owner[refunded][done],
        at=at[done],
        product=product[done],
        cents=-cents[done],
        channel=spending.channel[refunded][done],
    )


def ledger(purchases: Purchases, spending: Spending, refunds: Ledger) -> Ledger:
    """Purchases and refunds in one log, sorted by customer then time.

    The purchases are sorted already and refunds are few, so a stable sort of the combined
    (customer, time) key is one long run and a short one: cheap.
    """
    owner = np.concatenate([purchases.owner, refunds.owner])
    at = np.concatenate([purchases.at, refunds.at])
    order = np.argsort(owner.astype(np.int64) << 32 | at, kind="stable")
    return Ledger(
        owner=owner[order],
        at=at[order],
        product=np.concatenate([spending.product, refunds.product])[order],
        cents=np.concatenate([spending.cents, refunds.cents])[order],
        channel=np.concatenate([spending.channel, refunds.channel])[order],
    )


def _refunds(industry: Industry, kind: str) -> tuple[float, float]:
    policy = industry.refunds.get(kind)
    return (policy.rate, policy.full_share) if policy else (0.0, 1.0)
