"""The allowed state moves of a case: the one table services, the API and tests read.

new → acknowledged → in progress → resolved → confirmed (by the customer) → closed; a
complaint solved on the spot goes from new straight to closed. A case may wait on the
customer from acknowledged or in progress, and comes back to in progress or goes straight
to resolved. A resolved, confirmed or closed case may be reopened (back to in progress).
"""

from guanxi.service.case_types import CaseState

S = CaseState

MOVES: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED, S.CLOSED}),
    S.ACKNOWLEDGED: frozenset({S.IN_PROGRESS, S.WAITING, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.WAITING, S.RESOLVED}),
    S.WAITING: frozenset({S.IN_PROGRESS, S.RESOLVED}),
    S.RESOLVED: frozenset({S.CONFIRMED, S.CLOSED, S.IN_PROGRESS}),
    S.CONFIRMED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
}

# new → closed only for a complaint solved on the spot (with a note).
ON_THE_SPOT = (S.NEW, S.CLOSED)
# Moves back to work from a finished state.
REOPEN = frozenset({(S.RESOLVED, S.IN_PROGRESS), (S.CONFIRMED, S.IN_PROGRESS),
                    (S.CLOSED, S.IN_PROGRESS)})  # fmt: skip
# States in which the SLA clock stands still.
PAUSED = frozenset({S.WAITING})


def may_move(from_state: str, to_state: str) -> bool:
    """Whether a case at ``from_state`` may move to ``to_state``."""
    return to_state in MOVES.get(from_state, frozenset())


def next_states(from_state: str) -> list[str]:
    """The states a case may move to, in the table's order of states."""
    return [s for s in CaseState.values if may_move(from_state, s)]
