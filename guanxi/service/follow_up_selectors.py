"""Reading follow-up visits: a viewer's list, and coverage and timeliness by branch, team
or owner.

A visit's owner, due date, status and completion are its task's (``Activity``), read
through the join; the scope is its customer's (``guanxi.policy.care``).
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities.models import ActivityStatus
from guanxi.service.care_models import FollowUp

SHOWN = 50
# What a report groups by: the visit owner's branch, team, or the owner.
GROUPS = {
    "branch": "activity__owner__profile__branch_id",
    "team": "activity__owner__profile__team_id",
    "owner": "activity__owner_id",
}


def follow_ups_for_user(
    *, viewer: policy.Viewer, status: str = "open", owner_id: int | None = None
) -> QuerySet[FollowUp]:
    """Follow-ups of the viewer's scope (open, done or all), the earliest due first."""
    policy.require(viewer, "follow_up.view")
    found = policy.scoped(viewer, FollowUp.objects.all(), "follow_up.view")
    if status in ActivityStatus.values:
        found = found.filter(activity__status=status)
    if owner_id is not None:
        found = found.filter(activity__owner_id=owner_id)
    return found.select_related("activity", "customer").order_by("activity__due_on", "id")


def follow_ups_due_today(viewer: policy.Viewer) -> list[FollowUp]:
    """The viewer's own open visits due by today (overdue ones included), at most
    ``SHOWN``: read along the tasks' (owner, status, due_on) index."""
    today = timezone.localdate()
    return list(
        FollowUp.objects.filter(
            activity__owner_id=viewer.user_id or 0,
            activity__status=ActivityStatus.OPEN,
            activity__due_on__lte=today,
        )
        .select_related("activity", "customer")
        .order_by("activity__due_on", "id")[:SHOWN]
    )


@dataclass(frozen=True)
class CoverageLine:
    group_id: int | None
    due: int
    done: int
    on_time: int
    overdue: int

    @property
    def coverage(self) -> float:
        return self.done / self.due if self.due else 0.0

    @property
    def timeliness(self) -> float:
        return self.on_time / self.done if self.done else 0.0


def follow_up_coverage(
    *, viewer: policy.Viewer, start: date, end: date, by: str = "owner"
) -> list[CoverageLine]:
    """Per branch, team or owner: how many visits of the viewer's scope were due from
    ``start`` to ``end``, how many are done, done by their due day, and open past it."""
    policy.require(viewer, "follow_up.report")
    if by not in GROUPS:
        raise ValidationError({"by": [_("Choose one of: %s.") % ", ".join(GROUPS)]})
    today = timezone.localdate()
    done = Q(activity__status=ActivityStatus.DONE)
    rows = (
        policy.scoped(viewer, FollowUp.objects.all(), "follow_up.report")
        .filter(activity__due_on__gte=start, activity__due_on__lte=end)
        .annotate(completed_on=TruncDate("activity__completed_at"))
        .values(GROUPS[by])
        .annotate(
            due=Count("id"),
            done=Count("id", filter=done),
            on_time=Count("id", filter=done & Q(completed_on__lte=F("activity__due_on"))),
            overdue=Count(
                "id",
                filter=Q(activity__status=ActivityStatus.OPEN, activity__due_on__lt=today),
            ),
        )
        .order_by(GROUPS[by])
    )
    return [
        CoverageLine(r[GROUPS[by]], r["due"], r["done"], r["on_time"], r["overdue"]) for r in rows
    ]
