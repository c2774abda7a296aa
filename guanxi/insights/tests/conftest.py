"""Fixtures of the insights tests: a store with purchase histories, and fabricated results."""

from collections.abc import Callable, Set
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from guanxi.customers.models import Customer, Holding, Product, ProductKind, Transaction
from guanxi.insights.models import AnalysisRun, CustomerScore, RunStatus, RunTrigger

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def demo_store(transactional_db) -> list[Customer]:
    """300 demo bank customers with a year of purchases, committed where DuckDB can read them.

    The pipeline reads the store through DuckDB's own connection, which cannot see a test's
    open transaction: tests using this fixture run on committed data (transactional_db).
    """
    call_command("demo_data", customers=300, months=12, seed=11, verbosity=0)
    return list(Customer.objects.order_by("pk"))


@pytest.fixture
def products(db) -> dict[str, Product]:
    """A small catalogue."""
    return {
        code: Product.objects.create(code=code, name=name, kind=kind)
        for code, name, kind in (
            ("DEP", "活期储蓄", ProductKind.DEPOSIT),
            ("CARD", "信用卡", ProductKind.CARD),
            ("FUND", "基金定投", ProductKind.WEALTH),
        )
    }


@pytest.fixture
def buy(products) -> Callable[..., None]:
    """Give a customer purchases ``days_ago`` days back (and optionally products held)."""

    def add(customer: Customer, days_ago: list[int], amount: float = 100.0, holds=()) -> None:
        now = timezone.now()
        Transaction.objects.bulk_create(
            Transaction(
                customer=customer,
                amount=amount,
                channel="branch",
                occurred_at=now - timedelta(days=d),
            )
            for d in days_ago
        )
        for code in holds:
            Holding.objects.create(
                customer=customer,
                product=products[code],
                opened_at=now.date() - timedelta(days=400),
            )

    return add


@pytest.fixture
def fabricated_run(db) -> Callable[..., AnalysisRun]:
    """A finished run with scores written directly (no pipeline), for page and API tests."""

    def make(
        customers: list[Customer],
        warn: Set[int] = frozenset(),
        call_list: Set[int] = frozenset(),
    ) -> AnalysisRun:
        """Scores of ``customers`` (value at risk falling in their order); ``warn`` and
        ``call_list`` are the ids with a churn warning and on the call list."""
        warned = [c.pk for c in customers if c.pk in warn]
        run = AnalysisRun.objects.create(
            status=RunStatus.FINISHED,
            trigger=RunTrigger.COMMAND,
            finished_at=timezone.now(),
            counts={"customers": len(customers), "churn_warnings": len(warn)},
        )
        CustomerScore.objects.bulk_create(
            CustomerScore(
                run=run,
                customer=c,
                rfm_segment="at_risk",
                r_score=2,
                f_score=4,
                m_score=4,
                pyramid_level="B",
                p_alive=0.3,
                clv=1000.0 + i,
                total_revenue=5000.0,
                churn_warning=c.pk in warn,
                churn_severity=2 if c.pk in warn else 0,
                churn_reason_codes=["OVERDUE"] if c.pk in warn else [],
                churn_reason_en="No purchase for 90 days" if c.pk in warn else "",
                churn_reason_zh="已90天未购买" if c.pk in warn else "",
                churn_probability=0.7,
                value_at_risk=3500.0 - i,
                churn_rank=warned.index(c.pk) + 1 if c.pk in warn else None,
                churn_priority=c.pk in call_list,
                score=50.0 + i,
                rank_company=i + 1,
                rank_branch=i + 1,
                value_tier="gold",
            )
            for i, c in enumerate(customers)
        )
        return run

    return make
