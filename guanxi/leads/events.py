"""The leads domain's events (see guanxi.core.events): what its services publish.

Every event's record is the lead; payloads carry ids and codes, never personal values.
"""

from guanxi.core.events import DomainEvent


class LeadCreated(DomainEvent):
    """A lead was captured."""

    event_name = "lead.created"
    source: str
    branch_id: int
    owner_id: int | None = None


class LeadUpdated(DomainEvent):
    """Fields of a lead changed (their names)."""

    event_name = "lead.updated"
    fields: list[str]


class LeadStatusChanged(DomainEvent):
    """A lead moved from one status to another."""

    event_name = "lead.status_changed"
    from_status: str
    to_status: str


class LeadAssigned(DomainEvent):
    """A lead was given to an owner (``method``: manual, round_robin, rule, creator)."""

    event_name = "lead.assigned"
    from_owner_id: int | None = None
    to_owner_id: int
    method: str


class LeadConverted(DomainEvent):
    """A lead became a customer (created or linked), and perhaps an opportunity."""

    event_name = "lead.converted"
    customer_id: int
    customer_created: bool
    opportunity_id: int | None = None


class LeadEscalated(DomainEvent):
    """Nobody answered a lead in time; it went to the team lead."""

    event_name = "lead.escalated"
    team_lead_id: int | None = None
