"""The personal iCalendar feed: a secret URL per user that a calendar program subscribes to
without a password.

The URL's token is ``key`` + HMAC-SHA256(SECRET_KEY, key:nonce); only key and nonce are
stored, so the table alone does not give the URL, and the token is checked in constant time.
``GET`` of the feed URL issues one the first time; regenerating replaces it (the old URL
stops working) and revoking ends it until regenerated. The feed shows what the user's own
calendar shows them — subjects and customer names only of activities they may read, no
contact details — and each fetch is audited as a read.
"""

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.scheduling.calendar import Range, calendar_entries
from guanxi.scheduling.models import CalendarFeed

KEY_LENGTH = 16  # hex characters
TOKEN_LENGTH = KEY_LENGTH + 64
# What the feed covers around today.
PAST, AHEAD = dt.timedelta(days=14), dt.timedelta(days=45)


def _signature(key: str, nonce: str) -> str:
    message = f"calendar-feed:{key}:{nonce}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _token(feed: CalendarFeed) -> str | None:
    return None if feed.key is None else feed.key + _signature(feed.key, feed.nonce)


def _renew(feed: CalendarFeed) -> None:
    feed.key, feed.nonce = secrets.token_hex(KEY_LENGTH // 2), secrets.token_hex(32)
    feed.save()


def _audit(viewer: policy.Viewer, action: AuditAction, context: RequestContext) -> None:
    record(viewer.user, action, "calendar_feed", [viewer.user_id], ["token"], context)


def _person(viewer: policy.Viewer) -> int:
    policy.require(viewer, "calendar.feed")
    if viewer.user_id is None:
        raise PermissionDenied(_("A calendar feed belongs to a person."))
    return viewer.user_id


def feed_token_for_user(
    *, viewer: policy.Viewer, context: RequestContext, issue: bool = True
) -> str | None:
    """The viewer's feed token, issued the first time it is asked for (with ``issue``);
    ``None`` when revoked or not issued."""
    user_id = _person(viewer)
    if not issue:
        found = CalendarFeed.objects.filter(user_id=user_id).first()
        return None if found is None else _token(found)
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user_id=user_id)
        if created:
            _renew(feed)
            _audit(viewer, AuditAction.CREATE, context)
    return _token(feed)


def feed_regenerate(*, viewer: policy.Viewer, context: RequestContext) -> str:
    """A new token for the viewer; the old URL stops working. Audited."""
    user_id = _person(viewer)
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.select_for_update().get_or_create(user_id=user_id)
        _renew(feed)
        _audit(viewer, AuditAction.UPDATE, context)
    token = _token(feed)
    assert token is not None
    return token


def feed_revoke(*, viewer: policy.Viewer, context: RequestContext) -> None:
    """End the viewer's feed URL (a later regenerate issues a new one). Audited."""
    user_id = _person(viewer)
    with transaction.atomic():
        feed, _created = CalendarFeed.objects.get_or_create(user_id=user_id)
        feed.key, feed.nonce = None, ""
        feed.save()
        _audit(viewer, AuditAction.DELETE, context)


def feed_owner(token: str) -> CalendarFeed | None:
    """The active feed of this token (with its user), compared in constant time."""
    if len(token) != TOKEN_LENGTH:
        return None
    key = token[:KEY_LENGTH]
    feed = (
        CalendarFeed.objects.select_related("user__profile")
        .filter(key=key, user__is_active=True)
        .first()
    )
    if feed is None or feed.key is None:
        return None
    expected = feed.key + _signature(feed.key, feed.nonce)
    return feed if hmac.compare_digest(expected, token) else None


def feed_ics(*, feed: CalendarFeed, context: RequestContext) -> bytes:
    """The feed of ``feed``'s user as iCalendar bytes; the read is audited."""
    viewer = policy.Viewer.of(feed.user)
    now = timezone.now()
    span = Range(now - PAST, now + AHEAD)
    profile = getattr(feed.user, "profile", None)
    language = (profile and profile.language) or settings.LANGUAGE_CODE
    calendar = Calendar()
    calendar.add("prodid", "-//Guanxi CRM//calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Guanxi")
    with translation.override(language):
        entries = calendar_entries(viewer=viewer, people=[feed.user_id], span=span, context=context)
        for entry in entries:
            calendar.add_component(_event(entry, now))
    return calendar.to_ical()


def _event(entry: dict, now: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"activity-{entry['id']}@guanxi")
    event.add("dtstamp", now)
    if entry["all_day"]:
        event.add("dtstart", timezone.localdate(entry["starts_at"]))
    else:
        event.add("dtstart", entry["starts_at"])
        event.add("dtend", entry["ends_at"] or entry["starts_at"])
    if entry["private"]:
        summary = f"{entry['kind_label']} ({entry['owner_name']})"
    else:
        about = entry["customer_name"] or entry["lead_name"]
        summary = f"{entry['kind_label']}: {entry['subject']} — {about}"
    event.add("summary", summary)
    event.add("status", "CONFIRMED" if entry["status"] != "cancelled" else "CANCELLED")
    return event
