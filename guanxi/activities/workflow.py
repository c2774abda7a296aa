"""The status workflow of tasks and planned activities: the one table of what may follow what.

Services enforce it (``check_transition``), pages offer only the moves it allows
(``moves_from``), and tests read it. A planned activity is open until it is done or
cancelled; a cancelled one may be opened again; done is final. Only open items may be
rescheduled.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanxi.activities.models import ActivityStatus

S = ActivityStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.DONE, S.CANCELLED}),
    S.CANCELLED: frozenset({S.OPEN}),
    S.DONE: frozenset(),
}

# Statuses whose time or due date may still be moved.
RESCHEDULABLE: frozenset[str] = frozenset({S.OPEN})


def moves_from(status: str) -> frozenset[str]:
    """The statuses an item in ``status`` may move to."""
    return TRANSITIONS.get(status, frozenset())


def check_transition(from_status: str, to_status: str) -> None:
    """Refuse, naming ``status``, a move the table does not allow."""
    if to_status not in moves_from(from_status):
        raise ValidationError(
            {
                "status": [
                    _("An activity that is %(from)s cannot become %(to)s.")
                    % {"from": S(from_status).label, "to": _label(to_status)}
                ]
            }
        )


def check_reschedulable(status: str) -> None:
    """Refuse, naming ``status``, to move an item that is no longer open."""
    if status not in RESCHEDULABLE:
        raise ValidationError({"status": [_("Only open activities can be rescheduled.")]})


def _label(status: str) -> str:
    return str(dict(S.choices).get(status, status))
