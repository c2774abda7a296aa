"""What the process KPIs do when contacts, transactions and lifecycle moves are written: keep
the day figures (``guanxi.kpis.daily``) in step, shortly after each commit."""

import datetime as dt

from django.utils import timezone

from guanxi.activities.events import ActivityChanged, ActivityLogged
from guanxi.core.events import Delivered, subscribe
from guanxi.customers.events import CustomerLifecycleChanged, TransactionBooked
from guanxi.kpis import daily

# What of an activity the contact figures count by (its owner, subject or notes: none).
COUNTED = frozenset({"status", "kind", "starts_at"})


@subscribe("activity.logged", "activity.changed", handler="kpis.contact_days")
def contact_days(delivered: Delivered) -> None:
    """Sum again the contacts of the day the activity is on, and of the day it left, when
    its status, kind or time changed."""
    event = delivered.event
    moments: list[dt.datetime | None]
    if isinstance(event, ActivityLogged):
        moments = [event.starts_at]
    elif isinstance(event, ActivityChanged) and COUNTED.intersection(event.fields):
        moments = [event.starts_at, event.moved_from]
    else:
        return
    if event.customer_id is not None:
        daily.contacts_resum(timezone.localdate(moment) for moment in moments if moment)


@subscribe("transaction.booked", handler="kpis.revenue_days")
def revenue_days(delivered: Delivered) -> None:
    """Add the booked transaction to its day's revenue."""
    event = delivered.event
    if isinstance(event, TransactionBooked):
        daily.revenue_add(
            customer_id=delivered.record_id, occurred_at=event.occurred_at, amount=event.amount
        )


@subscribe("customer.lifecycle_changed", handler="kpis.move_days")
def move_days(delivered: Delivered) -> None:
    """Count the lifecycle move on the day it happened."""
    event = delivered.event
    if isinstance(event, CustomerLifecycleChanged):
        daily.move_add(
            customer_id=delivered.record_id,
            moved_at=delivered.occurred_at,
            from_status=event.from_status,
            to_status=event.to_status,
        )
