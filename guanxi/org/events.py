"""The organisation domain's events (see guanxi.core.events): what its services publish.

A handover's record is the handover; a deactivation's is the user. The records a handover
moves publish their own domains' events besides (``customer.updated``, ``lead.assigned``,
``opportunity.updated``, ``activity.changed``).
"""

from guanxi.core.events import DomainEvent


class PortfolioHandedOver(DomainEvent):
    """A colleague's portfolio went to others; ``counts`` per kind of record."""

    event_name = "portfolio.handed_over"
    from_user_id: int
    to_user_id: int | None = None
    counts: dict[str, int]


class StaffDeactivated(DomainEvent):
    """A user can no longer log in; their tokens were revoked."""

    event_name = "staff.deactivated"
    tokens_revoked: int
