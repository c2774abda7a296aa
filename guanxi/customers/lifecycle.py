"""The customer lifecycle as a workflow: which status may follow which, and what each means.

This table is the one place the moves are declared: ``customer_change_lifecycle`` refuses
any other, the lifecycle form offers only these, and the tests read it. The moves follow the
relationship: a prospect buys and becomes new, buys again (repeat) and again (loyal); anyone
who stops buying goes inactive, then lost; an inactive or lost customer who buys again is
won back, and a won-back customer who keeps buying counts as repeat or loyal again. A few
backward moves are allowed for corrections (a loyal customer whose buying thins out is
repeat again; a prospect who turns out not to fit is a suspect again).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.customers.models import LifecycleStatus as S

CREATED = gettext_noop("Created")
"""The reason stored with a customer's first status: worded when shown, not when stored."""
# Before CREATED was stored as it is, the creator's language worded it: both mean CREATED.
_CREATED_WORDINGS = frozenset({CREATED, "新建客户"})

TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SUSPECT: (S.PROSPECT, S.NEW, S.LOST),
    S.PROSPECT: (S.SUSPECT, S.NEW, S.LOST),
    S.NEW: (S.REPEAT, S.INACTIVE, S.LOST),
    S.REPEAT: (S.LOYAL, S.INACTIVE, S.LOST),
    S.LOYAL: (S.REPEAT, S.INACTIVE, S.LOST),
    S.INACTIVE: (S.WON_BACK, S.LOST),
    S.LOST: (S.WON_BACK,),
    S.WON_BACK: (S.REPEAT, S.LOYAL, S.INACTIVE, S.LOST),
}

# What a status means, as the colour of its badge (Tabler's light badge colours): buying
# customers green, the ones to win blue, the slipping ones orange, the lost red.
TONES: dict[str, str] = {
    S.SUSPECT: "secondary",
    S.PROSPECT: "azure",
    S.NEW: "teal",
    S.REPEAT: "green",
    S.LOYAL: "green",
    S.INACTIVE: "orange",
    S.LOST: "red",
    S.WON_BACK: "lime",
}


def next_statuses(status: str) -> tuple[str, ...]:
    """The statuses a customer in ``status`` may move to (none for an unknown status)."""
    return TRANSITIONS.get(status, ())


def may_move(from_status: str, to_status: str) -> bool:
    """Whether the lifecycle allows the move."""
    return to_status in next_statuses(from_status)


def shown_reason(from_status: str, reason: str) -> str:
    """A status change's reason as shown: the creation's in the viewer's language, any
    other as its author wrote it."""
    if not from_status and reason in _CREATED_WORDINGS:
        return _(CREATED)
    return reason
