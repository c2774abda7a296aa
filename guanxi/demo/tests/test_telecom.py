"""``--industry telecom`` and ``--reset``."""

import pytest
from django.core.management import call_command

from guanxi.customers.models import Customer, ProductKind, Transaction
from guanxi.demo.industries import TELECOM
from guanxi.org.models import Branch, Company

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def telecom(django_db_setup, django_db_blocker) -> None:
    """A bank load replaced by a telecom load through --reset."""
    with django_db_blocker.unblock():
        call_command("demo_data", customers=50, months=3, verbosity=0)
        call_command(
            "demo_data", customers=200, months=6, industry="telecom", reset=True, verbosity=0
        )
        yield
        call_command("flush", interactive=False, verbosity=0)


def test_reset_replaces_everything_with_the_telecom_operator(telecom):
    assert list(Company.objects.values_list("name", flat=True)) == [TELECOM.company]
    assert Customer.objects.count() == 200
    assert all(b.name.endswith("分公司") for b in Branch.objects.all())


def test_transactions_are_of_the_plan_catalogue(telecom):
    codes = set(Transaction.objects.values_list("product__code", flat=True))
    assert codes <= {p.code for p in TELECOM.products}
    assert {"5G-128", "4G-58"} <= codes


def test_plans_are_billed_at_list_price(telecom):
    bills = Transaction.objects.filter(product__code="5G-128", amount__gt=0)
    assert set(bills.values_list("amount", flat=True)) == {128}


def test_plan_refunds_return_at_most_the_fee(telecom):
    fees = {p.code: p.price for p in TELECOM.products if p.kind == ProductKind.PLAN}
    refunds = Transaction.objects.filter(product__code__in=fees, amount__lt=0)
    assert refunds.exists()
    for code, amount in refunds.values_list("product__code", "amount"):
        assert -amount <= fees[code]
