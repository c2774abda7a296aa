"""REST endpoints of the calendar: parse, call, return."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from guanxi.activities.inputs import ActivityFields
from guanxi.activities.schemas import ActivityOut
from guanxi.activities.selectors import activity_detail_for_user
from guanxi.api_types import RecordId
from guanxi.request_context import context_of, viewer_of
from guanxi.scheduling import calendar, feed, notify, services
from guanxi.scheduling.schemas import (
    BusyOut,
    BusyQuery,
    EntryOut,
    FeedUrlOut,
    MeetingIn,
    NotificationOut,
    RangeQuery,
)

router = Router(tags=["calendar"])


@router.get("", response=list[EntryOut])
def get_calendar(request: HttpRequest, query: Query[RangeQuery]):
    """Your calendar (or a colleague's you may see, or your team's) in a range of at most
    62 days: what you may not read shows as busy."""
    viewer = viewer_of(request)
    span = calendar.Range.of(query.start, query.end)
    people = calendar.calendar_people(viewer=viewer, user_id=query.user, team=query.team)
    return calendar.calendar_entries(
        viewer=viewer, people=people, span=span, context=context_of(request, "api")
    )


def _user_ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        ids = []
    if not ids or any(not 1 <= i < 2**31 for i in ids) or len(ids) > 50:
        raise ValidationError({"user_ids": [_("Give 1 to 50 user IDs, separated by commas.")]})
    return ids


@router.get("/busy", response=list[BusyOut])
def get_busy(request: HttpRequest, query: Query[BusyQuery]):
    """When colleagues are busy (times only: no subjects, no customers)."""
    return calendar.busy_times(
        viewer=viewer_of(request),
        user_ids=_user_ids(query.user_ids),
        span=calendar.Range.of(query.start, query.end),
    )


@router.post("/meetings", response={201: ActivityOut})
def schedule_meeting(request: HttpRequest, payload: MeetingIn):
    """Schedule a meeting or visit; a double booking is a 409 naming ``starts_at`` unless
    ``override_conflicts`` is true (audited). Participants are notified."""
    data = payload.dict()
    remind = data.pop("remind_minutes")
    override = data.pop("override_conflicts")
    viewer = viewer_of(request)
    activity = services.meeting_schedule(
        viewer=viewer,
        fields=ActivityFields.from_mapping(data),
        context=context_of(request, "api"),
        remind_minutes=remind,
        override_conflicts=override,
    )
    return Status(201, activity_detail_for_user(viewer=viewer, activity_id=activity.pk))


def _feed_url(request: HttpRequest, token: str | None) -> dict:
    if token is None:
        return {"url": None, "active": False}
    url = request.build_absolute_uri(reverse("calendar:feed", args=[token]))
    return {"url": url, "active": True}


@router.get("/feed-url", response=FeedUrlOut)
def get_feed_url(request: HttpRequest):
    """Your secret iCalendar feed URL (issued the first time; none once revoked)."""
    token = feed.feed_token_for_user(viewer=viewer_of(request), context=context_of(request, "api"))
    return _feed_url(request, token)


@router.post("/feed-url/regenerate", response=FeedUrlOut)
def regenerate_feed_url(request: HttpRequest):
    """A new feed URL; the old one stops working."""
    token = feed.feed_regenerate(viewer=viewer_of(request), context=context_of(request, "api"))
    return _feed_url(request, token)


@router.delete("/feed-url", response={204: None})
def revoke_feed_url(request: HttpRequest):
    """Revoke your feed URL."""
    feed.feed_revoke(viewer=viewer_of(request), context=context_of(request, "api"))
    return Status(204, None)


@router.get("/notifications", response=list[NotificationOut])
def list_notifications(request: HttpRequest):
    """Your newest notifications (invitations, reminders)."""
    return notify.notifications_for_user(viewer=viewer_of(request))


@router.post("/notifications/{int:notification_id}/read", response=NotificationOut)
def read_notification(request: HttpRequest, notification_id: RecordId):
    """Mark one of your notifications read."""
    return notify.notification_mark_read(viewer=viewer_of(request), notification_id=notification_id)
