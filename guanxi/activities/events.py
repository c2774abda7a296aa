"""The activities domain's events (see guanxi.core.events): what its services publish.

Every event's record is the activity; the customer (or, about a lead alone, the lead) is
named in the payload, so reactions per customer (the timeline, contact KPIs) find it.
Payloads carry codes, never the notes.
"""

import datetime as dt

from guanxi.core.events import DomainEvent, publish


class ActivityLogged(DomainEvent):
    """An activity was logged or planned."""

    event_name = "activity.logged"
    customer_id: int | None = None
    lead_id: int | None = None
    kind: str
    status: str
    starts_at: dt.datetime


class ActivityChanged(DomainEvent):
    """Fields of an activity changed (names, not values), or its status or time moved."""

    event_name = "activity.changed"
    customer_id: int | None = None
    lead_id: int | None = None
    fields: list[str]
    status: str
    # The start now, and before the change if it moved: the days whose figures it touched.
    starts_at: dt.datetime | None = None
    moved_from: dt.datetime | None = None


def publish_logged(*, activity, actor) -> None:
    """Publish that ``activity`` was logged."""
    logged = ActivityLogged(
        customer_id=activity.customer_id,
        lead_id=activity.lead_id,
        kind=activity.kind,
        status=activity.status,
        starts_at=activity.starts_at,
    )
    publish(logged, actor=actor, record=activity)


def publish_changed(
    *, activity, fields: list[str], actor, moved_from: dt.datetime | None = None
) -> None:
    """Publish that ``fields`` of ``activity`` changed (``moved_from``: its start before, if
    the change moved it)."""
    changed = ActivityChanged(
        customer_id=activity.customer_id,
        lead_id=activity.lead_id,
        fields=sorted(fields),
        status=activity.status,
        starts_at=activity.starts_at,
        moved_from=moved_from,
    )
    publish(changed, actor=actor, record=activity)
