"""Holdings carry balances: deposits and wealth by the customer's wealth, loans owed."""

from collections import defaultdict
from decimal import Decimal

import pytest

from guanxi.customers.models import Customer, CustomerKind, Holding, ProductKind

pytestmark = pytest.mark.django_db

MILLION = Decimal(1_000_000)


def _assets_under_management() -> dict[int, Decimal]:
    """Each customer's deposit and wealth balances summed (0 for customers with none)."""
    aum: dict[int, Decimal] = defaultdict(Decimal)
    assets = Holding.objects.filter(product__kind__in=[ProductKind.DEPOSIT, ProductKind.WEALTH])
    for customer, balance in assets.values_list("customer_id", "balance"):
        aum[customer] += balance
    return {c: aum[c] for c in Customer.objects.values_list("pk", flat=True)}


def test_open_deposit_and_wealth_accounts_hold_a_positive_balance(demo):
    accounts = Holding.objects.filter(
        closed_at=None, product__kind__in=[ProductKind.DEPOSIT, ProductKind.WEALTH]
    )
    assert accounts.exists()
    assert not accounts.filter(balance__lte=0).exists()


def test_open_loans_have_an_outstanding_balance(demo):
    loans = Holding.objects.filter(closed_at=None, product__kind=ProductKind.LOAN)
    assert loans.exists()
    assert not loans.filter(balance__lte=0).exists()


def test_closed_holdings_hold_nothing(demo):
    closed = Holding.objects.exclude(closed_at=None)
    assert closed.exists()
    assert not closed.exclude(balance=0).exists()


def test_a_certificate_of_deposit_holds_at_least_its_minimum(demo):
    certificates = Holding.objects.filter(closed_at=None, product__code="DEP-CD")
    assert certificates.exists()
    assert not certificates.filter(balance__lt=200_000).exists()


def test_a_few_people_hold_a_million_or_more_and_most_far_less(demo):
    aum = _assets_under_management()
    people = Customer.objects.filter(kind=CustomerKind.INDIVIDUAL).values_list("pk", flat=True)
    wealth = sorted(aum[p] for p in people)
    millionaires = [w for w in wealth if w >= MILLION]
    assert 0 < len(millionaires) < 0.05 * len(wealth)
    assert wealth[len(wealth) // 2] < 100_000
