"""The service domain's events (see guanxi.core.events): what its case services publish.

Every event's record is the case; payloads carry ids and codes, never personal values.
"""

from guanxi.core.events import DomainEvent


class CaseCreated(DomainEvent):
    """A case was opened."""

    event_name = "case.created"
    case_type: str
    customer_id: int
    queue_id: int | None = None
    owner_id: int | None = None


class CaseUpdated(DomainEvent):
    """Fields of a case changed (their names)."""

    event_name = "case.updated"
    fields: list[str]


class CaseStateChanged(DomainEvent):
    """A case moved from one state to another."""

    event_name = "case.state_changed"
    from_state: str
    to_state: str


class CaseAssigned(DomainEvent):
    """A case was given to an agent or a queue (a transfer between departments)."""

    event_name = "case.assigned"
    from_owner_id: int | None = None
    to_owner_id: int | None = None
    from_queue_id: int | None = None
    to_queue_id: int | None = None
