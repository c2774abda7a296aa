"""Scheduling a meeting or visit: refuse a double booking unless overridden (audited),
set its reminders, and tell the participants.

A double booking is an overlap with an open meeting or visit of the owner or of any
participant. It is refused naming ``starts_at`` (``ScheduleConflict``, a 409 with the
clashing people and times, never their subjects); ``override_conflicts`` books it anyway
and the audit log keeps which bookings it overrode.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import Activity, ActivityKind, ActivityStatus
from guanxi.activities.services import activity_log
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.org.models import Profile
from guanxi.scheduling.calendar import LONGEST, intervals_of, person_label
from guanxi.scheduling.notify import notify_invited
from guanxi.scheduling.reminders import MAX_MINUTES, default_minutes, reminders_sync

BOOKED_KINDS = (ActivityKind.MEETING, ActivityKind.VISIT)
DEFAULT_MEETING = dt.timedelta(hours=1)


class ScheduleConflict(ValidationError):
    """A double booking, naming ``starts_at``; ``conflicts`` says who is busy when."""

    def __init__(self, conflicts: list[dict]) -> None:
        names = ", ".join(dict.fromkeys(c["name"] for c in conflicts))
        super().__init__(
            {"starts_at": [_("This clashes with other bookings of: %(names)s.") % {"names": names}]}
        )
        self.conflicts = conflicts


def conflicts_for(
    *,
    people: list[int],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_id: int | None = None,
) -> list[dict]:
    """Open meetings and visits of these people overlapping [starts_at, ends_at): who and
    when only."""
    booked = Activity.objects.filter(
        Q(ends_at__gt=starts_at) | Q(ends_at__isnull=True, starts_at__gte=starts_at),
        kind__in=BOOKED_KINDS,
        status=ActivityStatus.OPEN,
        starts_at__lt=ends_at,
        starts_at__gte=starts_at - LONGEST,
    )
    if exclude_id is not None:
        booked = booked.exclude(pk=exclude_id)
    slots = intervals_of(people, booked)
    if not slots:
        return []
    names = {
        uid: person_label(uid, name, username)
        for uid, name, username in Profile.objects.filter(user_id__in=slots).values_list(
            "user_id", "display_name", "user__username"
        )
    }
    return [
        {"user_id": uid, "name": names.get(uid, str(uid)), "starts_at": s, "ends_at": e}
        for uid in sorted(slots)
        for s, e in sorted(slots[uid])
    ]


def _check_minutes(value: object) -> int:
    if value is None:
        return default_minutes()
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_MINUTES:
        raise ValidationError(
            {"remind_minutes": [_("Give whole minutes from 0 to %(max)d.") % {"max": MAX_MINUTES}]}
        )
    return value


def meeting_schedule(
    *,
    viewer: policy.Viewer,
    fields: ActivityFields,
    context: RequestContext,
    remind_minutes: int | None = None,
    override_conflicts: bool = False,
) -> Activity:
    """Schedule an open meeting (or visit) with participants; a double booking is refused
    unless ``override_conflicts``, which is audited with the bookings it overrode."""
    policy.require(viewer, "activity.log")
    given = fields.given()
    given.setdefault("kind", ActivityKind.MEETING)
    if given["kind"] not in BOOKED_KINDS:
        raise ValidationError({"kind": [_("Schedule a meeting or a visit.")]})
    if given.get("starts_at") is None:
        raise ValidationError({"starts_at": [_("Give a time.")]})
    given["status"] = ActivityStatus.OPEN
    minutes = _check_minutes(remind_minutes)
    if given.get("ends_at") is None and isinstance(given["starts_at"], dt.datetime):
        given["ends_at"] = given["starts_at"] + DEFAULT_MEETING
    with transaction.atomic():
        # Logged first, so the customer and every field are checked before anyone's busy
        # times are shown; a refused double booking rolls it back.
        activity = activity_log(
            viewer=viewer, fields=ActivityFields.from_mapping(given), context=context
        )
        people = [activity.owner_id, *activity.participants.values_list("pk", flat=True)]
        assert activity.ends_at is not None
        conflicts = conflicts_for(
            people=people,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
            exclude_id=activity.pk,
        )
        if conflicts and not override_conflicts:
            raise ScheduleConflict(conflicts)
        if conflicts:
            record(
                viewer.user,
                AuditAction.UPDATE,
                "activity",
                [activity.pk],
                ["override_conflicts"],
                context,
                changes={"override_conflicts": [None, _overridden(conflicts)]},
                name=f"{activity.get_kind_display()}: {activity.subject}",
                customers=[activity.customer_id] if activity.customer_id else [],
            )
        reminders_sync(activity=activity, minutes_before=minutes)
        notify_invited(activity=activity, inviter_id=viewer.user_id)
    return activity


def _overridden(conflicts: list[dict]) -> list[dict]:
    return [
        {"user_id": c["user_id"], "starts_at": timezone.localtime(c["starts_at"]).isoformat()}
        for c in conflicts
    ]
