"""The customers app's own timeline events: lifecycle changes, holdings, purchases."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.customers.models import Holding, LifecycleChange, Transaction
from guanxi.customers.timeline import TimelineEvent, register_timeline_source


def lifecycle_events(viewer, customer, limit: int) -> list[TimelineEvent]:
    """Status changes with their reasons."""
    changes = LifecycleChange.objects.filter(customer=customer)[:limit]
    return [
        TimelineEvent(
            at=c.changed_at,
            kind="lifecycle",
            title=_("Status: %(status)s") % {"status": c.get_to_status_display()},
            detail=c.reason,
        )
        for c in changes
    ]


def holding_events(viewer, customer, limit: int) -> list[TimelineEvent]:
    """Products taken up."""
    holdings = (
        Holding.objects.filter(customer=customer)
        .select_related("product")
        .order_by("-opened_at")[:limit]
    )
    tz = timezone.get_current_timezone()
    return [
        TimelineEvent(
            at=datetime.combine(h.opened_at, time.min, tzinfo=tz),
            kind="holding",
            title=_("Opened %(product)s") % {"product": h.product.name},
        )
        for h in holdings
    ]


def transaction_events(viewer, customer, limit: int) -> list[TimelineEvent]:
    """Purchases and refunds."""
    rows = (
        Transaction.objects.filter(customer=customer)
        .select_related("product")
        .order_by("-occurred_at")[: min(limit, 20)]
    )
    return [
        TimelineEvent(
            at=t.occurred_at,
            kind="transaction",
            title=_("%(amount)s via %(channel)s")
            % {"amount": t.amount, "channel": t.get_channel_display()},
            detail=t.product.name if t.product else "",
        )
        for t in rows
    ]


register_timeline_source("customers.lifecycle", lifecycle_events)
register_timeline_source("customers.holdings", holding_events)
register_timeline_source("customers.transactions", transaction_events)
