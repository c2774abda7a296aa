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


class CaseWarned(DomainEvent):
    """A case's resolution deadline is near (the last fifth of its target is left)."""

    event_name = "case.warned"
    resolution_due: str


class CaseEscalated(DomainEvent):
    """A case missed a deadline: level 1 went to the team lead, level 2 to the branch
    manager."""

    event_name = "case.escalated"
    level: int
    to_user_id: int | None = None


class SurveyInvited(DomainEvent):
    """A customer was invited to answer a survey (the record is the invitation)."""

    event_name = "survey.invited"
    template_id: int
    customer_id: int
    case_id: int | None = None


class SurveyAnswered(DomainEvent):
    """A customer answered a survey (the record is the response); a detractor's answer
    (NPS ≤ 6 or CSAT ≤ 2) asks for a follow-up case."""

    event_name = "survey.answered"
    customer_id: int
    case_id: int | None = None
    csat: int | None = None
    nps: int | None = None
    detractor: bool = False
