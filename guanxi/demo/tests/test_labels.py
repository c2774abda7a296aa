"""The demo puts tags and groups to use, without audit entries or events."""

from collections import defaultdict
from decimal import Decimal

import pytest

from guanxi.audit.models import AuditEntry
from guanxi.core.events.models import EventRecord
from guanxi.customers.models import (
    Customer,
    CustomerGroup,
    GroupKind,
    GroupMembership,
    Holding,
    ProductKind,
    Tag,
)
from guanxi.customers.selectors import clean_list_filter

pytestmark = pytest.mark.django_db


def _tagged(name: str) -> set[int]:
    return set(Customer.objects.filter(tags__name=name).values_list("pk", flat=True))


def _assets_under_management() -> dict[int, Decimal]:
    aum: dict[int, Decimal] = defaultdict(Decimal)
    assets = Holding.objects.filter(product__kind__in=[ProductKind.DEPOSIT, ProductKind.WEALTH])
    for customer, balance in assets.values_list("customer_id", "balance"):
        aum[customer] += balance
    return aum


def test_the_demo_has_static_and_saved_filter_groups(demo):
    static = set(CustomerGroup.objects.filter(kind=GroupKind.STATIC).values_list("name", flat=True))
    assert "私人银行候选" in static
    assert any(name.endswith("春节营销名单") for name in static)
    assert CustomerGroup.objects.filter(kind=GroupKind.SAVED_FILTER).count() >= 3


def test_every_static_group_has_members(demo):
    for group in CustomerGroup.objects.filter(kind=GroupKind.STATIC):
        assert GroupMembership.objects.filter(group=group).exists(), group.name


def test_saved_filters_are_valid_list_filters_that_match_customers(demo):
    for group in CustomerGroup.objects.filter(kind=GroupKind.SAVED_FILTER):
        assert clean_list_filter(group.filter) == group.filter
        assert Customer.objects.filter(**group.filter).exists(), group.name


def test_a_realistic_share_of_customers_carry_tags(demo):
    customers = Customer.objects.count()
    assert 0.2 * customers < Customer.objects.filter(tags__isnull=False).distinct().count()
    for tag in Tag.objects.all():
        assert 0 < len(_tagged(tag.name)) < 0.5 * customers, tag.name


def test_the_mortgage_tag_marks_customers_with_an_open_mortgage(demo):
    mortgages = Holding.objects.filter(product__code="LN-MORT", closed_at=None)
    assert _tagged("房贷客户") == set(mortgages.values_list("customer_id", flat=True))


def test_the_high_net_worth_tag_marks_customers_with_a_million_in_assets(demo):
    aum = _assets_under_management()
    assert _tagged("高净值") == {c for c, total in aum.items() if total >= 1_000_000}


def test_private_banking_candidates_hold_three_million_in_assets(demo):
    aum = _assets_under_management()
    members = GroupMembership.objects.filter(group__name="私人银行候选")
    assert {m.customer_id for m in members} == {c for c, t in aum.items() if t >= 3_000_000}


def test_loading_records_no_audit_entries_or_domain_events(demo):
    assert not AuditEntry.objects.exists()
    assert not EventRecord.objects.exists()
