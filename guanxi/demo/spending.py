"""What customers hold and what each purchase is: product, amount, channel."""

from dataclasses import dataclass

import numpy as np

from guanxi.demo.behaviour import Purchases
from guanxi.demo.industries import Industry

PREFERRED_CHANNEL_SHARE = 0.6
MOBILE_KEEN_AGE = 40


@dataclass(frozen=True)
class Spending:
    """Per purchase: product (index into the catalogue), amount in cents, channel index."""

    product: np.ndarray
    cents: np.ndarray
    channel: np.ndarray


def draw_holdings(rng: np.random.Generator, industry: Industry, size: int) -> np.ndarray:
    """A (customers x products) matrix of held products; everyone holds at least one."""
    share = np.array([p.holding_share for p in industry.products])
    holds = rng.random((size, share.size)) < share
    holds[~holds.any(axis=1), int(np.argmax(share))] = True
    return holds


def draw_spending(
    rng: np.random.Generator,
    industry: Industry,
    purchases: Purchases,
    holds: np.ndarray,
    spend_level: np.ndarray,
    age: np.ndarray,
) -> Spending:
    """Each purchase is of a held product, priced around its list price for this customer."""
    product = _held_products(rng, industry, purchases.owner, holds)
    price = np.array([p.price for p in industry.products])[product]
    spread = np.array([p.spread for p in industry.products])[product]
    elasticity = np.array([p.elasticity for p in industry.products])[product]
    noise = rng.standard_normal(product.size)
    yuan = price * np.exp(elasticity * spend_level[purchases.owner] + spread * noise)
    cents = np.maximum(np.round(yuan * 100), 100).astype(np.int64)
    return Spending(product, cents, _channels(rng, industry, purchases.owner, age))


def _held_products(rng, industry: Industry, owner: np.ndarray, holds: np.ndarray) -> np.ndarray:
    """Draw a held product per purchase, weighted by how often each product is used.

    Rows of cumulative weights are laid end to end (row r spans r .. r+1), so one
    searchsorted call draws for every purchase of every customer at once.
    """
    use = np.array([p.use_weight for p in industry.products])
    weights = holds * use
    cumulative = np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True)
    cumulative[:, -1] = 1.0
    flat = (cumulative + np.arange(holds.shape[0])[:, None]).ravel()
    found = np.searchsorted(flat, owner + rng.random(owner.size), side="right")
    return np.minimum(found - owner * holds.shape[1], holds.shape[1] - 1)


def _channels(rng, industry: Industry, owner: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Channel per purchase: mostly the customer's habitual one, which is mobile for the young."""
    names = list(industry.channels)
    weights = np.array(list(industry.channels.values()))
    customers = age.size
    habitual = rng.choice(len(names), customers, p=weights / weights.sum())
    mobile = names.index("mobile")
    habitual[(age < MOBILE_KEEN_AGE) & (rng.random(customers) < 0.4)] = mobile
    occasional = rng.choice(len(names), owner.size, p=weights / weights.sum())
    keep = rng.random(owner.size) < PREFERRED_CHANNEL_SHARE
    return np.where(keep, habitual[owner], occasional)
