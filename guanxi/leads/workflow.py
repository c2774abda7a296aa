"""The allowed status moves of a lead: the one table services, pages and tests read.

new → contacted → qualified → converted; any open lead may be disqualified or kept for a
later campaign (both with a reason); a kept lead may be reopened (back to contacted). A
lead converts from any open status, but only through conversion, which creates or links
the customer; converted and disqualified are final.
"""

from guanxi.leads.models import LeadStatus

S = LeadStatus
OPEN = frozenset({S.NEW, S.CONTACTED, S.QUALIFIED})

MOVES: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.CONTACTED, S.QUALIFIED, S.DISQUALIFIED, S.KEPT, S.CONVERTED}),
    S.CONTACTED: frozenset({S.QUALIFIED, S.DISQUALIFIED, S.KEPT, S.CONVERTED}),
    S.QUALIFIED: frozenset({S.DISQUALIFIED, S.KEPT, S.CONVERTED}),
    S.KEPT: frozenset({S.CONTACTED}),
    S.CONVERTED: frozenset(),
    S.DISQUALIFIED: frozenset(),
}

# Moves that need a reason.
NEEDS_REASON = frozenset({S.DISQUALIFIED, S.KEPT})
# Reached only by conversion (``lead_convert``), never by a plain status change.
BY_CONVERSION = frozenset({S.CONVERTED})


def may_move(from_status: str, to_status: str) -> bool:
    """Whether a lead at ``from_status`` may move to ``to_status``."""
    return to_status in MOVES.get(from_status, frozenset())


def status_moves(from_status: str) -> list[str]:
    """The statuses a plain status change may take a lead to, in the table's order."""
    return [s for s in LeadStatus.values if may_move(from_status, s) and s not in BY_CONVERSION]


def is_open(status: str) -> bool:
    """Whether the lead is still being worked (counts against its owner's capacity)."""
    return status in OPEN
