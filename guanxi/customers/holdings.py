"""What a customer holds and buys: holdings of products, and booked transactions.

A holding's balance, closing and maturity change by ``holding_update`` (the balance as
the core banking system reports it); a changed balance publishes ``holding.balance_changed``
for whatever reacts to it (care reminders of large changes). A booking keeps the
customer's running totals (lifetime revenue, transaction count, first and last purchase) in
step with it, in the same database transaction as its audit entry.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record, updated
from guanxi.concurrency import save_if_version
from guanxi.customers import events
from guanxi.customers.models import Channel, Customer, Holding, Product, Transaction
from guanxi.customers.selectors import customer_get_editable_for_user
from guanxi.storable import MONEY_LIMIT, check_storable


@dataclass(frozen=True)
class NewHolding:
    """A product a customer took up: which one, the account, when, and its balance."""

    product_code: str
    opened_at: date
    account_number: str = ""
    closed_at: date | None = None
    balance: Decimal = Decimal(0)
    matures_on: date | None = None  # a deposit's or plan's end


@dataclass(frozen=True)
class Booking:
    """A transaction to book: a purchase (a positive amount) or a refund (negative)."""

    amount: Decimal
    channel: str
    occurred_at: datetime
    product_code: str = ""


def _check_dates(opened: date, closed: date | None, matures: date | None, errors: dict) -> None:
    """A holding closes and matures no earlier than it opens."""
    if closed is not None and closed < opened:
        errors.setdefault("closed_at", [_("A holding cannot close before it opens.")])
    if matures is not None and matures < opened:
        errors["matures_on"] = [_("A holding cannot mature before it opens.")]


def holding_open(
    *, viewer: policy.Viewer, customer_id: int, holding: NewHolding, context: RequestContext
) -> Holding:
    """Record a product the customer took up (an account opened, a plan subscribed)."""
    customer = customer_get_editable_for_user(viewer=viewer, customer_id=customer_id)
    data = asdict(holding)
    product = Product.objects.filter(code=data.pop("product_code")).first()
    errors: dict = {}
    if product is None:
        errors["product_code"] = [_("There is no product with this code.")]
    if data["opened_at"] > timezone.localdate():
        errors["opened_at"] = [_("A holding cannot be opened in the future.")]
    _check_dates(data["opened_at"], data.get("closed_at"), data.get("matures_on"), errors)
    if errors or product is None:
        raise ValidationError(errors)
    held = Holding(customer=customer, product=product, **data)
    check_storable(held, list(data))
    with transaction.atomic():
        held.save()
        record(
            viewer.user,
            AuditAction.CREATE,
            "holding",
            [held.pk],
            ["product"],
            context,
            changes=created({"product": product.code, **data}),
            name=product.name,
            customers=[customer.pk],
        )
    return held


# What a holding's update may change: the rest (product, account, opening) is its identity.
HOLDING_CHANGES = ("balance", "closed_at", "matures_on")


def holding_update(
    *,
    viewer: policy.Viewer,
    customer_id: int,
    holding_id: int,
    changes: Mapping[str, Any],
    expected_version: int,
    context: RequestContext,
) -> Holding:
    """Change a holding's balance, closing day or maturity (a name not given is left as it
    is); a stale version changes nothing."""
    customer = customer_get_editable_for_user(viewer=viewer, customer_id=customer_id)
    held = Holding.objects.select_related("product").get(pk=holding_id, customer=customer)
    unknown = sorted(set(changes) - set(HOLDING_CHANGES))
    if unknown:
        raise ValidationError({name: [_("This cannot be changed.")] for name in unknown})
    errors: dict = {}
    closed = changes.get("closed_at", held.closed_at)
    if "closed_at" in changes and closed is not None and closed > timezone.localdate():
        errors["closed_at"] = [_("A holding cannot close in the future.")]
    _check_dates(held.opened_at, closed, changes.get("matures_on", held.matures_on), errors)
    if "balance" in changes and changes["balance"] is None:
        errors["balance"] = [_("A balance is a number.")]
    if errors:
        raise ValidationError(errors)
    made = updated(held, changes)
    check_storable(held, list(made))
    with transaction.atomic():
        save_if_version(held, expected_version, list(made))
        record(
            viewer.user,
            AuditAction.UPDATE,
            "holding",
            [held.pk],
            sorted(changes),
            context,
            changes=made,
            name=held.product.name,
            customers=[customer.pk],
        )
        if "balance" in made:
            events.publish_holding_balance_changed(
                customer=customer, holding=held, old_balance=made["balance"][0], actor=viewer.user
            )
    return held


def transaction_book(
    *, viewer: policy.Viewer, customer_id: int, booking: Booking, context: RequestContext
) -> Transaction:
    """Record a transaction for a customer the viewer may edit."""
    customer = customer_get_editable_for_user(viewer=viewer, customer_id=customer_id)
    product = None
    if booking.product_code:
        product = Product.objects.filter(code=booking.product_code).first()
        if product is None:
            raise ValidationError({"product_code": [_("There is no product with this code.")]})
    if booking.channel not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    if booking.occurred_at > timezone.now():
        raise ValidationError({"occurred_at": [_("A transaction cannot be in the future.")]})
    with transaction.atomic():  # the booking and its audit entry commit together
        booked = _book(
            customer,
            booking.amount,
            booking.channel,
            booking.occurred_at,
            product,
            actor=viewer.user,
        )
        record(
            viewer.user,
            AuditAction.CREATE,
            "transaction",
            [booked.pk],
            ["amount"],
            context,
            changes=created(asdict(booking)),
            name=customer.name,
            customers=[customer.pk],
        )
    return booked


def _book(
    customer: Customer,
    amount: Decimal,
    channel: str,
    occurred_at,
    product: Product | None,
    *,
    actor=None,
) -> Transaction:
    """Write the transaction and keep the customer's running totals in step with it."""
    with transaction.atomic():
        booked = Transaction.objects.create(
            customer=customer,
            product=product,
            amount=amount,
            channel=channel,
            occurred_at=occurred_at,
        )
        updates: dict[str, Combinable] = {
            "lifetime_revenue": F("lifetime_revenue") + amount,
            "transaction_count": F("transaction_count") + 1,
        }
        if amount > 0:
            # Compared in the database, so two bookings at once cannot undo each other.
            updates["first_purchase_at"] = _earlier_of("first_purchase_at", occurred_at)
            updates["last_purchase_at"] = _later_of("last_purchase_at", occurred_at)
        # The total stays what the store keeps exactly; checked in the same UPDATE, so
        # concurrent bookings cannot pass it together.
        within = Customer.objects.filter(
            pk=customer.pk,
            lifetime_revenue__lt=MONEY_LIMIT - amount,
            lifetime_revenue__gt=-MONEY_LIMIT - amount,
        )
        if not within.update(**updates):
            raise ValidationError(
                {
                    "amount": [
                        _(
                            "This amount would take the customer's lifetime revenue beyond "
                            "%(limit)s, the most that is kept exactly."
                        )
                        % {"limit": f"{MONEY_LIMIT - Decimal('0.01'):,}"}
                    ]
                }
            )
        events.publish_transaction_booked(booked=booked, actor=actor)
    return booked


def _earlier_of(field: str, moment) -> Case:
    return Case(When(**{f"{field}__lte": moment}, then=F(field)), default=Value(moment))


def _later_of(field: str, moment) -> Case:
    return Case(When(**{f"{field}__gte": moment}, then=F(field)), default=Value(moment))
