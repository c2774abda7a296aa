"""The customers app's own timeline events: lifecycle changes, holdings, purchases."""

from datetime import datetime, time

from django.db.models import TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.customers import history, lifecycle
from guanxi.customers.models import Channel, LifecycleStatus
from guanxi.customers.timeline import TimelineEvent, register_timeline_source


def _label(choices: type[TextChoices], value: str) -> str:
    # As get_FOO_display does: a value no longer among the choices shows as it is.
    return dict(choices.choices).get(value, value)


def lifecycle_events(viewer, customer, limit: int) -> list[TimelineEvent]:
    """Status changes with their reasons."""
    return [
        TimelineEvent(
            at=c["changed_at"],
            kind="lifecycle",
            title=_("Status: %(status)s") % {"status": _label(LifecycleStatus, c["to_status"])},
            detail=lifecycle.shown_reason(c["from_status"], c["reason"]),
        )
        for c in history.lifecycle_changes(customer)[:limit]
    ]


def holding_events(viewer, customer, limit: int) -> list[TimelineEvent]:
    """Products taken up."""
    tz = timezone.get_current_timezone()
    return [
        TimelineEvent(
            at=datetime.combine(h["opened_at"], time.min, tzinfo=tz),
            kind="holding",
            title=_("Opened %(product)s") % {"product": h["product__name"]},
        )
        for h in history.holdings(customer)[:limit]
    ]


def transaction_events(viewer, customer, limit: int) -> list[TimelineEvent]:
    """Purchases and refunds."""
    return [
        TimelineEvent(
            at=t["occurred_at"],
            kind="transaction",
            title=_("%(amount)s via %(channel)s")
            % {"amount": t["amount"], "channel": _label(Channel, t["channel"])},
            detail=t["product__name"] or "",
        )
        for t in history.recent_transactions(customer)[:limit]
    ]


register_timeline_source("customers.lifecycle", lifecycle_events)
register_timeline_source("customers.holdings", holding_events)
register_timeline_source("customers.transactions", transaction_events)
