"""The plans domain's events (see guanxi.core.events): what its services publish.

Every event's record is the plan; payloads carry ids and codes, never the notes.
"""

import datetime as dt

from guanxi.core.events import DomainEvent


class PlanCreated(DomainEvent):
    """An account manager's week or month plan was made."""

    event_name = "plan.created"
    owner_id: int
    period: str
    starts_on: dt.date


class PlanChanged(DomainEvent):
    """A plan's note, targets or planned contacts changed (their names)."""

    event_name = "plan.changed"
    fields: list[str]


class PlanReviewed(DomainEvent):
    """A week plan was reviewed: the planned customers whose status moved."""

    event_name = "plan.reviewed"
    moved_customer_ids: list[int]
