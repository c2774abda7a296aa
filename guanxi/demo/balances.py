"""Balances of held accounts: deposits and wealth products follow each customer's wealth.

Wealth is log-normal with a long tail, so most people keep tens of thousands of yuan and a
few hold ¥1M or more across their deposit and wealth accounts (AUM, assets under
management); organisations hold more. Loans are owed, not owned: their outstanding balance
follows the size of the customer's repayments, not their wealth. Telecom prepaid balances
and anything else with a balance factor follow the customer's spending level.
"""

import numpy as np

from guanxi.customers.models import ProductKind
from guanxi.demo.industries import Industry

ASSET_KINDS = (ProductKind.DEPOSIT, ProductKind.WEALTH)
WEALTH_SPREAD = 1.1  # log-normal spread of wealth between people of one spending level
ORGANISATION_WEALTH = 1.5  # log multiplier: a company's accounts hold this much more
ACCOUNT_SPREAD = 0.5  # spread of one account around its holder's wealth
OTHER_SPREAD = 0.5


def draw_wealth(
    rng: np.random.Generator, spend_level: np.ndarray, organisation: np.ndarray
) -> np.ndarray:
    """Per customer: log multiplier of their asset balances, higher for bigger spenders."""
    return (
        spend_level
        + rng.normal(0.0, WEALTH_SPREAD, spend_level.size)
        + np.where(organisation, ORGANISATION_WEALTH, 0.0)
    )


def draw_balances(
    rng: np.random.Generator,
    industry: Industry,
    owner: np.ndarray,
    product: np.ndarray,
    wealth: np.ndarray,
    spend_level: np.ndarray,
) -> np.ndarray:
    """Balance in cents of each holding (customer ``owner`` holds catalogue item ``product``)."""
    specs = industry.products
    typical = np.array([p.balance_factor * p.price for p in specs])[product]
    minimum = np.array([p.minimum_balance for p in specs])[product]
    elasticity = np.array([p.elasticity for p in specs])[product]
    asset = np.array([p.kind in ASSET_KINDS for p in specs])[product]
    level = np.where(asset, wealth[owner], elasticity * spend_level[owner])
    spread = np.where(asset, ACCOUNT_SPREAD, OTHER_SPREAD)
    yuan = typical * np.exp(level + spread * rng.standard_normal(owner.size))
    yuan = np.where(typical > 0, np.maximum(yuan, minimum), 0.0)
    return np.round(yuan * 100).astype(np.int64)


def assets_under_management(
    industry: Industry, owner: np.ndarray, product: np.ndarray, cents: np.ndarray, size: int
) -> np.ndarray:
    """Per customer: the sum of their deposit and wealth balances, in cents."""
    asset = np.array([p.kind in ASSET_KINDS for p in industry.products])[product]
    return np.bincount(owner[asset], weights=cents[asset], minlength=size).astype(np.int64)
