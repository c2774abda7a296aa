"""The customer domain's events (see guanxi.core.events): what its services publish.

Every event's record is the customer, so whatever reacts per customer (rules, reminders,
the timeline) finds it in one place; a booked transaction names its own row in the payload.
Payloads name fields and codes, never personal values.
"""

import datetime as dt
from decimal import Decimal

from guanxi.core.events import DomainEvent, publish


class CustomerCreated(DomainEvent):
    """A customer was added."""

    event_name = "customer.created"
    kind: str
    status: str
    branch_id: int
    owner_id: int | None
    fields: list[str]  # the fields given a value


class CustomerUpdated(DomainEvent):
    """Fields of a customer changed (their names, not their values)."""

    event_name = "customer.updated"
    fields: list[str]


class CustomerLifecycleChanged(DomainEvent):
    """A customer moved from one lifecycle status to another."""

    event_name = "customer.lifecycle_changed"
    from_status: str
    to_status: str


class CustomerValueTierChanged(DomainEvent):
    """A customer's value tier moved, by a person's edit or an analysis run (``run_id``)."""

    event_name = "customer.value_tier_changed"
    from_tier: str
    to_tier: str
    run_id: int | None = None


class TransactionBooked(DomainEvent):
    """A transaction was booked for the customer."""

    event_name = "transaction.booked"
    transaction_id: int
    amount: Decimal
    channel: str
    product_id: int | None
    occurred_at: dt.datetime


class HoldingBalanceChanged(DomainEvent):
    """The balance of a product the customer holds changed (a core system's report)."""

    event_name = "holding.balance_changed"
    holding_id: int
    old_balance: Decimal
    new_balance: Decimal


def publish_customer_updated(*, customer, fields: list[str], old_tier: str, actor) -> None:
    """Publish the update, and the tier change too when the edit moved the tier."""
    if not fields:
        return
    publish(CustomerUpdated(fields=sorted(fields)), actor=actor, record=customer)
    if customer.value_tier != old_tier:
        tier = CustomerValueTierChanged(from_tier=old_tier, to_tier=customer.value_tier)
        publish(tier, actor=actor, record=customer)


def publish_customer_created(*, customer, fields: list[str], actor) -> None:
    """Publish that ``customer`` was created with values for ``fields``."""
    created = CustomerCreated(
        kind=customer.kind,
        status=customer.status,
        branch_id=customer.branch_id,
        owner_id=customer.owner_id,
        fields=[name for name in fields if getattr(customer, name) not in (None, "", {})],
    )
    publish(created, actor=actor, record=customer)


def publish_lifecycle_changed(*, customer, from_status: str, actor) -> None:
    """Publish that ``customer`` moved from ``from_status`` to its current status."""
    moved = CustomerLifecycleChanged(from_status=from_status, to_status=customer.status)
    publish(moved, actor=actor, record=customer)


def publish_transaction_booked(*, booked, actor) -> None:
    """Publish that the transaction ``booked`` was recorded for its customer."""
    event = TransactionBooked(
        transaction_id=booked.pk,
        amount=booked.amount,
        channel=booked.channel,
        product_id=booked.product_id,
        occurred_at=booked.occurred_at,
    )
    publish(event, actor=actor, record=booked.customer)


def publish_holding_balance_changed(*, customer, holding, old_balance: Decimal, actor) -> None:
    """Publish that ``customer``'s ``holding`` moved from ``old_balance`` to its balance now."""
    changed = HoldingBalanceChanged(
        holding_id=holding.pk, old_balance=old_balance, new_balance=holding.balance
    )
    publish(changed, actor=actor, record=customer)
