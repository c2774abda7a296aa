"""Reminders: kept in step with their activities, and sent when due.

An open timed activity (not a task) reminds its owner and participants ``minutes_before``
its start (``GUANXI_REMINDER_MINUTES``, 15, unless the meeting says otherwise); an open task
with a due date reminds its owner the morning after it (``GUANXI_OVERDUE_REMINDER_HOUR``,
9 o'clock) that it is overdue. ``reminders_sync`` writes the rows (idempotent: run after
every change of the activity); ``reminders_send_due`` finds the unsent ones due by the
partial index on ``remind_at`` and claims each with a conditional update before sending, so
each goes once even with two senders.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from guanxi.activities.models import Activity, ActivityKind, ActivityStatus
from guanxi.scheduling.models import NotificationKind, Reminder, ReminderKind
from guanxi.scheduling.notify import notify, send_notice

log = logging.getLogger(__name__)

HEADLINES = {
    ReminderKind.STARTS: gettext_lazy("Starts soon"),
    ReminderKind.OVERDUE: gettext_lazy("Overdue"),
}
# The most minutes ahead a reminder may be asked for (a week).
MAX_MINUTES = 7 * 24 * 60


def default_minutes() -> int:
    """Minutes before the start a reminder goes out unless the meeting says otherwise."""
    return int(getattr(settings, "GUANXI_REMINDER_MINUTES", 15))


def overdue_moment(due_on: dt.date) -> dt.datetime:
    """When an open task due on ``due_on`` is reminded of as overdue."""
    hour = int(getattr(settings, "GUANXI_OVERDUE_REMINDER_HOUR", 9))
    return timezone.make_aware(dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(hour)))


def reminders_sync(
    *, activity: Activity, minutes_before: int | None = None, now: dt.datetime | None = None
) -> None:
    """Make the activity's reminders what its status, time and people call for: unsent
    ones no longer wanted go, moved ones are due again at their new time."""
    now = now or timezone.now()
    existing = {(r.user_id, r.kind): r for r in Reminder.objects.filter(activity=activity)}
    wanted: dict[tuple[int, str], tuple[dt.datetime, int]] = {}
    if activity.status == ActivityStatus.OPEN:
        if activity.kind == ActivityKind.TASK:
            if activity.due_on is not None:
                wanted[(activity.owner_id, ReminderKind.OVERDUE)] = (
                    overdue_moment(activity.due_on), 0,
                )  # fmt: skip
        elif activity.starts_at > now:
            people = {activity.owner_id, *activity.participants.values_list("pk", flat=True)}
            # A participant added later is reminded as the others are.
            meeting_minutes = next(
                (r.minutes_before for r in existing.values() if r.kind == ReminderKind.STARTS),
                default_minutes(),
            )
            for user_id in people:
                kept = existing.get((user_id, ReminderKind.STARTS))
                minutes = (
                    minutes_before
                    if minutes_before is not None
                    else kept.minutes_before
                    if kept
                    else meeting_minutes
                )
                remind_at = activity.starts_at - dt.timedelta(minutes=minutes)
                wanted[(user_id, ReminderKind.STARTS)] = (remind_at, minutes)
    gone = [r.pk for key, r in existing.items() if key not in wanted and r.sent_at is None]
    Reminder.objects.filter(pk__in=gone).delete()
    for (user_id, kind), (remind_at, minutes) in wanted.items():
        found = existing.get((user_id, kind))
        if found is None:
            Reminder.objects.create(
                activity=activity, user_id=user_id, kind=kind,
                remind_at=remind_at, minutes_before=minutes,
            )  # fmt: skip
        elif found.remind_at != remind_at or found.minutes_before != minutes:
            found.remind_at, found.minutes_before, found.sent_at = remind_at, minutes, None
            found.save(update_fields=["remind_at", "minutes_before", "sent_at"])


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int


def reminders_send_due(*, now: dt.datetime | None = None, limit: int = 500) -> SendReport:
    """Send the reminders due by ``now`` (at most ``limit``): each in the app and, for a
    user with an address, by e-mail; a failed e-mail leaves it unsent for the next run."""
    now = now or timezone.now()
    due = list(
        Reminder.objects.filter(sent_at__isnull=True, remind_at__lte=now)
        .select_related(
            "activity__customer", "activity__lead", "activity__owner__profile", "user__profile"
        )
        .order_by("remind_at")[:limit]
    )
    sent = failed = 0
    for reminder in due:
        if not Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=now):
            continue  # another sender claimed it
        if reminder.activity.status != ActivityStatus.OPEN or not reminder.user.is_active:
            continue  # done, cancelled, or the person left: nothing to remind of
        try:
            with transaction.atomic():
                text = notify(
                    user=reminder.user,
                    activity=reminder.activity,
                    kind=NotificationKind.REMINDER,
                    headline=HEADLINES[ReminderKind(reminder.kind)],
                    mail=False,
                )
                if reminder.user.email:
                    send_notice(reminder.user.email, text)
        except Exception:  # an SMTP error of any kind: release the claim, try next run
            log.exception("reminder %s could not be sent", reminder.pk)
            Reminder.objects.filter(pk=reminder.pk).update(sent_at=None)
            failed += 1
        else:
            sent += 1
    return SendReport(sent=sent, failed=failed)
