"""A case's SLA clock: the deadlines its policy gives when it is received, the pause while
it waits on the customer, and its status as any read shows it.

The clock runs on the policy's working calendar. Waiting on the customer stops it: the
working time spent waiting is added to ``paused_total`` and pushes the resolution deadline
(and its warning) out by as much — also when the case goes straight from waiting to
resolved. A case without a policy has no clock.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from guanxi.service.case_models import OPEN, Case
from guanxi.service.loader import working_time_for
from guanxi.service.models import SlaPolicy
from guanxi.service.sla_policies import sla_deadlines
from guanxi.service.working_time import WorkingTime

# "Due soon" once this share of the resolution target is left.
DUE_SOON_SHARE = 0.2
# Queue order: the green channel's higher tiers first (no tier last).
TIER_RANK = {"platinum": 0, "gold": 1, "silver": 2, "standard": 3, "": 4}

ON_TIME, DUE_SOON, BREACHED, MET, PAUSED, NONE = (
    "on_time", "due_soon", "breached", "met", "paused", "none",
)  # fmt: skip
STATUS_LABELS = {
    ON_TIME: _("On time"),
    DUE_SOON: _("Due soon"),
    BREACHED: _("Breached"),
    MET: _("Met"),
    PAUSED: _("Paused"),
    NONE: _("No SLA"),
}


def start(case: Case, sla_policy: SlaPolicy | None, received_at: datetime) -> None:
    """Set the policy and deadlines of a case received at ``received_at``."""
    case.sla_policy = sla_policy
    if sla_policy is None:
        return
    due = sla_deadlines(sla_policy=sla_policy, received_at=received_at)
    engine = working_time_for(sla_policy.calendar)
    lead = timedelta(minutes=sla_policy.resolution_minutes * (1 - DUE_SOON_SHARE))
    case.first_response_due = due.first_response
    case.resolution_due = due.resolution
    case.resolution_warn_at = engine.deadline_after(received_at, lead)


def pause(case: Case, at: datetime) -> list[str]:
    """Stop the clock (the case now waits on the customer); the fields changed."""
    if case.sla_policy_id is None or case.paused_since is not None:
        return []
    case.paused_since = at
    return ["paused_since"]


def resume(case: Case, at: datetime) -> list[str]:
    """Start the clock again (the case left waiting, to work or resolved): the working time
    paused is kept and pushes the deadlines out; the fields changed."""
    if case.paused_since is None:
        return []
    if case.sla_policy is None:  # its policy was removed while it waited: no clock to move
        case.paused_since = None
        return ["paused_since"]
    engine = working_time_for(case.sla_policy.calendar)
    paused = engine.working_time_between(case.paused_since, at)
    case.paused_total = (case.paused_total or timedelta(0)) + paused
    case.paused_since = None
    names = ["paused_since", "paused_total"]
    if paused and case.resolution_due is not None:
        case.resolution_due = engine.deadline_after(case.resolution_due, paused)
        names.append("resolution_due")
        if case.resolution_warn_at is not None:
            case.resolution_warn_at = engine.deadline_after(case.resolution_warn_at, paused)
            names.append("resolution_warn_at")
    return names


@dataclass(frozen=True)
class Clock:
    """A case's SLA status and the working time left to resolve it (negative: overdue)."""

    status: str
    minutes_left: int | None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _first_response_late(case: Case, now: datetime) -> bool:
    due = case.first_response_due
    if due is None:
        return False
    return (case.first_responded_at or now) > due


def engines_for(cases: Iterable[Case]) -> dict[int, WorkingTime]:
    """The working-time engine of each calendar the cases' policies use (read with them):
    a list reads each calendar's engine once, not once a case."""
    calendars = {c.sla_policy.calendar_id: c.sla_policy.calendar for c in cases if c.sla_policy}
    return {pk: working_time_for(calendar) for pk, calendar in calendars.items()}


def clock(case: Case, now: datetime, engines: dict[int, WorkingTime] | None = None) -> Clock:
    """The case's SLA status at ``now`` (its policy's calendar read with it; ``engines``
    from ``engines_for`` when reading many)."""
    due = case.resolution_due
    if case.sla_policy_id is None or due is None:
        return Clock(NONE, None)
    if case.resolved_at is not None:
        late = case.resolved_at > due or _first_response_late(case, case.resolved_at)
        return Clock(BREACHED if late else MET, None)
    assert case.sla_policy is not None
    calendar = case.sla_policy.calendar
    engine = (engines or {}).get(calendar.pk) or working_time_for(calendar)
    moment = case.paused_since or now
    if moment <= due:
        left = engine.working_time_between(moment, due)
    else:
        left = -engine.working_time_between(due, moment)
    minutes = int(left.total_seconds() // 60)
    if case.paused_since is not None:
        return Clock(PAUSED, minutes)
    if moment > due or _first_response_late(case, now):
        return Clock(BREACHED, minutes)
    warn = case.resolution_warn_at
    return Clock(DUE_SOON if warn is not None and now >= warn else ON_TIME, minutes)


def status_condition(status: str, now: datetime) -> Q:
    """The cases whose SLA status at ``now`` is ``status``, as a condition (by the stored,
    indexed deadlines)."""
    running = OPEN & Q(paused_since__isnull=True, resolution_due__isnull=False)
    answered_late = Q(first_responded_at__gt=F("first_response_due"))
    first_late = Q(first_responded_at__isnull=True, first_response_due__lt=now) | answered_late
    resolved = Q(resolved_at__isnull=False, resolution_due__isnull=False)
    resolved_late = resolved & (Q(resolved_at__gt=F("resolution_due")) | answered_late)
    if status == PAUSED:
        return Q(paused_since__isnull=False)
    if status == MET:
        return resolved & ~resolved_late
    if status == BREACHED:
        return (running & (Q(resolution_due__lt=now) | first_late)) | resolved_late
    if status == DUE_SOON:
        return running & Q(resolution_warn_at__lte=now, resolution_due__gte=now) & ~first_late
    if status == ON_TIME:
        return running & Q(resolution_warn_at__gt=now) & ~first_late
    return Q(sla_policy__isnull=True)


def tier_rank(value_tier: str) -> int:
    """A tier's place in the queue (0 first)."""
    return TIER_RANK.get(value_tier or "", len(TIER_RANK))
