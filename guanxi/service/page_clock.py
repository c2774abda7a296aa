"""A case's SLA clock as the pages show it: a badge coloured by what the status means and
the working time left in words."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from guanxi.service import case_clock

BADGES = {
    case_clock.ON_TIME: "bg-green-lt",
    case_clock.DUE_SOON: "bg-yellow-lt",
    case_clock.BREACHED: "bg-red-lt",
    case_clock.PAUSED: "bg-azure-lt",
    case_clock.MET: "bg-teal-lt",
    case_clock.NONE: "bg-secondary-lt",
}


@dataclass(frozen=True)
class ShownClock:
    status: str
    label: str
    badge: str
    words: str


def duration_words(minutes: int) -> str:
    """``minutes`` of working time as hours and minutes (never negative)."""
    hours, rest = divmod(abs(minutes), 60)
    if not hours:
        return _("%(minutes)d min") % {"minutes": rest}
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}


def clock_words(found: case_clock.Clock) -> str:
    """The working time left (or overdue) in words; empty when there is none to show."""
    if found.minutes_left is None:
        return ""
    time = duration_words(found.minutes_left)
    if found.minutes_left < 0:
        return _("%(time)s overdue (working time)") % {"time": time}
    if found.status == case_clock.PAUSED:
        return _("%(time)s left, clock paused") % {"time": time}
    return _("%(time)s of working time left") % {"time": time}


def shown(found: case_clock.Clock) -> ShownClock:
    """The clock as a page shows it."""
    return ShownClock(
        status=found.status, label=found.label, badge=BADGES[found.status], words=clock_words(found)
    )
