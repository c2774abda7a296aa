"""The sales domain's events (see guanxi.core.events): what its services publish.

Every event's record is the opportunity; payloads carry ids and codes.
"""

from decimal import Decimal

from guanxi.core.events import DomainEvent


class OpportunityCreated(DomainEvent):
    """An opportunity was opened for a customer."""

    event_name = "opportunity.created"
    customer_id: int
    pipeline_id: int
    stage_id: int
    owner_id: int
    amount: Decimal
    source_suggestion_id: int | None = None


class OpportunityUpdated(DomainEvent):
    """Fields of an opportunity changed (their names)."""

    event_name = "opportunity.updated"
    fields: list[str]


class OpportunityStageChanged(DomainEvent):
    """An opportunity moved from one stage to another; ``status`` is open, won or lost."""

    event_name = "opportunity.stage_changed"
    from_stage_id: int
    to_stage_id: int
    status: str
    loss_reason: str = ""


class OpportunityTeamChanged(DomainEvent):
    """An opportunity's team or the members' shares changed."""

    event_name = "opportunity.team_changed"
    user_ids: list[int]
