"""Reading calendars: whose calendar a viewer may open, its entries in a time range, and
colleagues' busy times.

An entry is an activity the person owns or takes part in (cancelled ones left out; open
tasks appear on their due date). Its subject and customer are shown only when the viewer
may read the activity (``activity.view``); otherwise it reads as busy, with its kind, time
and owner. Busy times carry no subject and no customer at all.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities.models import Activity, ActivityKind, ActivityStatus
from guanxi.activities.selectors import READ_FIELDS, activities_visible
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.org.models import Profile
from guanxi.storable import EARLIEST_DATE, LATEST_DATE

# The longest range one calendar read covers (a month view with its edge weeks fits).
MAX_RANGE_DAYS = 62
# The most entries one read returns.
MAX_ENTRIES = 2000
# The longest an activity is taken to last (one started earlier is not looked for).
LONGEST = dt.timedelta(days=31)
# How long an activity without an end keeps someone busy.
DEFAULT_LENGTH = dt.timedelta(minutes=30)

Participation = Activity.participants.through


@dataclass(frozen=True)
class Range:
    """A checked time range: ``start`` ≤ t < ``end``, at most ``MAX_RANGE_DAYS`` long."""

    start: dt.datetime
    end: dt.datetime

    @classmethod
    def of(cls, start: object, end: object) -> "Range":
        """Check a range, naming ``start`` or ``end`` in one ValidationError."""
        errors: dict[str, list[str]] = {}
        for name, value in (("start", start), ("end", end)):
            if not isinstance(value, dt.datetime):
                errors[name] = [_("Give a time.")]
            elif not EARLIEST_DATE <= value.date() <= LATEST_DATE:
                errors[name] = [
                    _("Give a date between %(a)s and %(b)s.")
                    % {"a": EARLIEST_DATE, "b": LATEST_DATE}
                ]
        if errors:
            raise ValidationError(errors)
        assert isinstance(start, dt.datetime) and isinstance(end, dt.datetime)
        start, end = _aware(start), _aware(end)
        if end <= start:
            raise ValidationError({"end": [_("The end must come after the start.")]})
        if end - start > dt.timedelta(days=MAX_RANGE_DAYS):
            raise ValidationError(
                {"end": [_("Read at most %(days)d days at a time.") % {"days": MAX_RANGE_DAYS}]}
            )
        return cls(start, end)


def _aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def person_label(user_id: int, display_name: str | None, username: str) -> str:
    """A colleague's name as calendars show it."""
    return display_name or username or str(user_id)


def calendar_people(
    *, viewer: policy.Viewer, user_id: int | None = None, team: bool = False
) -> list[int]:
    """Whose calendar to read: the viewer's own; a colleague's within ``calendar.view_user``
    (out of reach reads as missing); or the viewer's team as far as they may see it."""
    policy.require(viewer, "calendar.view")
    if viewer.user_id is None:
        return []
    if team:
        if viewer.team_id is None:
            return [viewer.user_id]
        members = _people_in_reach(viewer).filter(team_id=viewer.team_id)
        return sorted({viewer.user_id, *members.values_list("user_id", flat=True)})
    if user_id is None or user_id == viewer.user_id:
        return [viewer.user_id]
    if not _people_in_reach(viewer).filter(user_id=user_id).exists():
        raise Profile.DoesNotExist
    return [user_id]


def _people_in_reach(viewer: policy.Viewer) -> QuerySet:
    if not policy.allows(viewer, "calendar.view_user"):
        return Profile.objects.none()
    active = Profile.objects.filter(user__is_active=True)
    return policy.scoped(viewer, active, "calendar.view_user")


def _overlapping(span: Range) -> Q:
    # Bounded below too, so the (owner, starts_at) index reads only the range's rows.
    return Q(starts_at__lt=span.end, starts_at__gte=span.start - LONGEST) & (
        Q(ends_at__gt=span.start) | Q(ends_at__isnull=True, starts_at__gte=span.start)
    )


TIMED = ~Q(kind=ActivityKind.TASK) & ~Q(status=ActivityStatus.CANCELLED)

COLUMNS = ("id", "kind", "status", "starts_at", "ends_at", "due_on", "subject", "owner_id",
           "owner__username", "owner__profile__display_name", "customer_id",
           "customer__name", "lead_id", "lead__name")  # fmt: skip


def calendar_entries(
    *,
    viewer: policy.Viewer,
    people: list[int],
    span: Range,
    context: RequestContext | None = None,
) -> list[dict]:
    """The entries of these people's calendars in ``span``, by start; the read of the
    activities the viewer may see is audited when a ``context`` is given."""
    first_day, last_day = timezone.localdate(span.start), timezone.localdate(span.end)
    due = Q(
        kind=ActivityKind.TASK,
        status=ActivityStatus.OPEN,
        due_on__gte=first_day,
        due_on__lte=last_day,
    )
    in_span = Activity.objects.filter((TIMED & _overlapping(span)) | due)
    joined = Participation.objects.filter(user_id__in=people).values("activity_id")
    rows: dict[int, dict] = {}
    # Owned and joined apart: each reads by its own index (an OR of the two would not).
    for part in (in_span.filter(owner_id__in=people), in_span.filter(pk__in=joined)):
        for row in part.order_by("starts_at", "id").values(*COLUMNS)[:MAX_ENTRIES]:
            rows[row["id"]] = row
    ids = list(rows)
    visible = set(activities_visible(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    entries = sorted(
        (_entry(row, row["id"] in visible) for row in rows.values()),
        key=lambda e: (e["starts_at"], e["id"]),
    )[:MAX_ENTRIES]
    if context is not None:
        customers = sorted({e["customer_id"] for e in entries if e["customer_id"]})
        record(viewer.user, AuditAction.READ, "customer", customers, READ_FIELDS, context)
        for lead_id in sorted({e["lead_id"] for e in entries if e["lead_id"]}):
            record(viewer.user, AuditAction.READ, "lead", [lead_id], READ_FIELDS, context)
    return entries


def _entry(row: dict, visible: bool) -> dict:
    kind = ActivityKind(row["kind"])
    all_day = kind == ActivityKind.TASK
    starts = row["starts_at"]
    if all_day:
        starts = timezone.make_aware(dt.datetime.combine(row["due_on"], dt.time()))
    return {
        "id": row["id"],
        "kind": kind.value,
        "kind_label": str(kind.label),
        "status": row["status"],
        "starts_at": starts,
        "ends_at": None if all_day else row["ends_at"],
        "all_day": all_day,
        "owner_id": row["owner_id"],
        "owner_name": person_label(
            row["owner_id"], row["owner__profile__display_name"], row["owner__username"]
        ),
        "private": not visible,
        "subject": row["subject"] if visible else "",
        "customer_id": row["customer_id"] if visible else None,
        "customer_name": (row["customer__name"] or "") if visible else "",
        # About a lead alone (not converted yet): the entry names the lead instead.
        "lead_id": row["lead_id"] if visible and row["customer_id"] is None else None,
        "lead_name": row["lead__name"] if visible and row["customer_id"] is None else "",
    }


def busy_times(*, viewer: policy.Viewer, user_ids: list[int], span: Range) -> list[dict]:
    """When each colleague is busy in ``span``: merged intervals of their timed activities,
    without subjects or customers. Colleagues out of the viewer's reach are refused by id."""
    policy.require(viewer, "calendar.busy")
    wanted = sorted(set(user_ids))
    if not wanted:
        raise ValidationError({"user_ids": [_("Name at least one colleague.")]})
    profiles = policy.scoped(
        viewer,
        Profile.objects.filter(user_id__in=wanted, user__is_active=True),
        "calendar.busy",
    ).values_list("user_id", "display_name", "user__username")
    names = {uid: person_label(uid, name, username) for uid, name, username in profiles}
    if missing := [i for i in wanted if i not in names]:
        raise ValidationError(
            {
                "user_ids": [
                    _("No colleague of yours has ID %(ids)s.")
                    % {"ids": ", ".join(map(str, missing))}
                ]
            }  # fmt: skip
        )
    slots = intervals_of(wanted, Activity.objects.filter(TIMED, _overlapping(span)))
    return [
        {"user_id": uid, "name": names[uid], "busy": merge(slots.get(uid, []))} for uid in wanted
    ]


def intervals_of(people: list[int], activities: QuerySet) -> dict[int, list[tuple]]:
    """(start, end) of each of ``activities`` for each of ``people`` who owns or joins it."""
    slots: dict[int, list[tuple]] = {}
    owned = activities.filter(owner_id__in=people).values_list("owner_id", "starts_at", "ends_at")
    joined = Participation.objects.filter(user_id__in=people, activity__in=activities).values_list(
        "user_id", "activity__starts_at", "activity__ends_at"
    )
    for uid, starts, ends in [*owned, *joined]:
        slots.setdefault(uid, []).append((starts, ends or starts + DEFAULT_LENGTH))
    return slots


def merge(slots: list[tuple]) -> list[dict]:
    """Overlapping intervals joined, in order."""
    merged: list[list] = []
    for starts, ends in sorted(slots):
        if merged and starts <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], ends)
        else:
            merged.append([starts, ends])
    return [{"starts_at": s, "ends_at": e} for s, e in merged]


def calendar_colleagues(*, viewer: policy.Viewer, limit: int = 300) -> list[tuple[int, str]]:
    """The people whose calendars the viewer may open (themself first), by name."""
    rows = (
        _people_in_reach(viewer)
        .exclude(user_id=viewer.user_id)
        .order_by("display_name", "user__username")
        .values_list("user_id", "display_name", "user__username")[:limit]
    )
    return [(uid, person_label(uid, name, username)) for uid, name, username in rows]
