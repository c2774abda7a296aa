"""A customer's history as the 360 view shows it: holdings, recent purchases, status changes.

Each is read once per customer object and kept on it, because the 360 sections and the
customers' own timeline events show the same rows; reading them twice doubled the cost of
the busiest page. Rows are plain values, which cost a fraction of model instances, from
queries compiled once per process (``guanxi.compiled_query``).
"""

from django.db.models import QuerySet

from guanxi.compiled_query import CompiledQuery
from guanxi.customers.models import Customer, Holding, LifecycleChange, Transaction

RECENT_TRANSACTIONS = 20
LIFECYCLE_CHANGES = 50


@CompiledQuery
def _holdings(customer_id: int) -> QuerySet:
    return (
        Holding.objects.filter(customer_id=customer_id)
        .order_by("-opened_at", "-id")
        .values(
            *("id", "account_number", "opened_at", "closed_at", "balance", "matures_on"),
            "version",
            *("product__code", "product__name", "product__kind"),
        )
    )


@CompiledQuery
def _transactions(customer_id: int) -> QuerySet:
    return (
        Transaction.objects.filter(customer_id=customer_id)
        .order_by("-occurred_at", "-id")
        .values("id", "occurred_at", "amount", "channel", "product__name")[:RECENT_TRANSACTIONS]
    )


@CompiledQuery
def _lifecycle(customer_id: int) -> QuerySet:
    return LifecycleChange.objects.filter(customer_id=customer_id).values(
        "from_status", "to_status", "reason", "changed_at"
    )[:LIFECYCLE_CHANGES]


def _kept(customer: Customer, name: str, query: CompiledQuery) -> list[dict]:
    key = f"_history_{name}"
    if key not in customer.__dict__:
        customer.__dict__[key] = query.rows(customer_id=customer.pk)
    return customer.__dict__[key]


def holdings(customer: Customer) -> list[dict]:
    """Every product the customer holds or held, newest first."""
    return _kept(customer, "holdings", _holdings)


def recent_transactions(customer: Customer) -> list[dict]:
    """The newest purchases and refunds."""
    return _kept(customer, "transactions", _transactions)


def lifecycle_changes(customer: Customer) -> list[dict]:
    """The newest status changes, with their reasons."""
    return _kept(customer, "lifecycle", _lifecycle)
