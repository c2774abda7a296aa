"""When customers buy: a BG/NBD-style process simulated for a whole chunk of customers at once.

Each customer buys as a Poisson process whose rate comes from a gamma distribution (a few
heavy buyers, many light ones) and, after every purchase, leaves for good with a probability
drawn from a beta distribution (the BG/NBD dropout), so some customers stop buying.
"""

from dataclasses import dataclass

import numpy as np

DAY = 86_400
MONTH = 30.4375 * DAY
CHINA_OFFSET = 8 * 3600


@dataclass(frozen=True)
class Behaviour:
    """Hyperparameters of the purchase process.

    The rate scale is calibrated so that a million customers over 24 months make about
    twenty million purchases: a mean of twenty per customer once dropout is counted.
    """

    rate_shape: float = 0.8
    rate_scale: float = 2.0  # purchases per month
    dropout_a: float = 0.8
    dropout_b: float = 45.0
    trial_share: float = 0.9  # customers acquired in the window who buy soon after joining
    trial_delay_days: float = 3.0
    daytime_share: float = 0.8  # purchases in shop hours, the rest at any time of day


@dataclass(frozen=True)
class Purchases:
    """Purchase times of a chunk of customers, sorted by customer then time."""

    owner: np.ndarray  # local customer index of each purchase
    at: np.ndarray  # epoch seconds
    counts: np.ndarray  # purchases per customer
    starts: np.ndarray  # index of each customer's first purchase in ``at``
    # per customer: left for good right after their last purchase (the dropout happened
    # before ``end``); the generator's truth, never stored in the product database
    stopped: np.ndarray


def simulate_purchases(
    rng: np.random.Generator, created: np.ndarray, start: int, end: int, behaviour: Behaviour
) -> Purchases:
    """Purchase times between each customer's joining (or the window start) and ``end``."""
    n = created.size
    rate = rng.gamma(behaviour.rate_shape, behaviour.rate_scale, n) / MONTH
    dropout = rng.beta(behaviour.dropout_a, behaviour.dropout_b, n)
    joined_in_window = created >= start
    trial_at = created + rng.exponential(behaviour.trial_delay_days * DAY, n)
    trial = joined_in_window & (rng.random(n) < behaviour.trial_share) & (trial_at < end)
    begin = np.where(joined_in_window, trial_at, start)
    # After each purchase (the trial included) the customer leaves with probability ``dropout``.
    allowed = rng.geometric(dropout) - trial
    span = np.maximum(end - begin, 0.0)
    arrivals = rng.poisson(rate * span)
    buyer = trial | ~joined_in_window
    repeats = np.where(buyer, np.minimum(arrivals, allowed), 0)
    # Had the window room for every allowed purchase, the last of them was the one after
    # which the customer left.
    stopped = buyer & (arrivals >= allowed)
    repeat_owner = np.repeat(np.arange(n), repeats)
    repeat_at = begin[repeat_owner] + span[repeat_owner] * _first_order_statistics(
        rng, repeats, arrivals
    )
    owner = np.concatenate([np.flatnonzero(trial), repeat_owner])
    at = np.concatenate([trial_at[trial], repeat_at])
    lower = np.maximum(created + 1, start)[owner]
    at = np.clip(_shop_hours(rng, at, behaviour.daytime_share), lower, end - 1).astype(np.int64)
    order = np.lexsort((at, owner))
    counts = np.bincount(owner, minlength=n)
    return Purchases(owner[order], at[order], counts, np.cumsum(counts) - counts, stopped)


def _first_order_statistics(
    rng: np.random.Generator, keep: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """The ``keep`` smallest of ``total`` uniforms on [0, 1) per customer, in order.

    Uses the spacing representation U(j) = S_j / S_(total+1) with S a sum of standard
    exponentials, so only the kept draws are made: the rest of the sum is one gamma draw.
    """
    owner = np.repeat(np.arange(keep.size), keep)
    partial = np.cumsum(rng.exponential(1.0, owner.size))
    ends = np.cumsum(keep)
    before = np.concatenate([[0.0], partial])[ends - keep]
    local = partial - before[owner]
    kept_sum = np.where(keep > 0, np.concatenate([[0.0], partial])[ends] - before, 0.0)
    rest = rng.gamma(np.maximum(total - keep, 0) + 1.0)
    return local / (kept_sum + rest)[owner]


def _shop_hours(rng: np.random.Generator, at: np.ndarray, daytime_share: float) -> np.ndarray:
    """Move each purchase to a realistic time of day (China time), keeping its date."""
    local_day = np.floor((at + CHINA_OFFSET) / DAY)
    daytime = np.clip(rng.normal(14.0, 3.0, at.size), 8.0, 22.5) * 3600
    any_time = rng.random(at.size) * DAY
    second = np.where(rng.random(at.size) < daytime_share, daytime, any_time)
    return local_day * DAY + second - CHINA_OFFSET
