"""Demo calendar: teammates invited to the demo's planned meetings and visits, and the
reminders of every open item, so calendars, busy times and reminders have something to show.

Written in bulk after the demo activities (generated history: no audit entries or events).
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from guanxi.activities.models import Activity, ActivityKind, ActivityStatus
from guanxi.org.models import Profile
from guanxi.scheduling.models import Reminder, ReminderKind
from guanxi.scheduling.reminders import default_minutes, overdue_moment

BOOKED = (ActivityKind.MEETING, ActivityKind.VISIT)


def generate_calendar(seed: int = 42) -> int:
    """Invite a teammate to about half of the open meetings and visits, and write the
    reminders of every open item; returns how many reminders were written."""
    rng = random.Random(seed)
    now = timezone.now()
    teams: dict[int, list[int]] = {}
    team_of: dict[int, int] = {}
    for user_id, team_id in Profile.objects.filter(team__isnull=False).values_list(
        "user_id", "team_id"
    ):
        teams.setdefault(team_id, []).append(user_id)
        team_of[user_id] = team_id
    open_items = Activity.objects.filter(status=ActivityStatus.OPEN).values_list(
        "pk", "kind", "owner_id", "starts_at", "due_on"
    )
    joins, reminders = [], []
    minutes = default_minutes()
    for pk, kind, owner_id, starts, due in open_items.iterator(chunk_size=5_000):
        if kind == ActivityKind.TASK:
            if due is not None:
                reminders.append(Reminder(activity_id=pk, user_id=owner_id,
                                          kind=ReminderKind.OVERDUE,
                                          remind_at=overdue_moment(due)))  # fmt: skip
            continue
        people = [owner_id]
        mates = [u for u in teams.get(team_of.get(owner_id, -1), []) if u != owner_id]
        if kind in BOOKED and mates and rng.random() < 0.5:
            mate = rng.choice(mates)
            joins.append(Activity.participants.through(activity_id=pk, user_id=mate))
            people.append(mate)
        if starts > now:
            reminders += [
                Reminder(activity_id=pk, user_id=u, kind=ReminderKind.STARTS,
                         minutes_before=minutes, remind_at=starts - timedelta(minutes=minutes))
                for u in people
            ]  # fmt: skip
    with transaction.atomic():
        Activity.participants.through.objects.bulk_create(joins, batch_size=2_000)
        Reminder.objects.bulk_create(reminders, batch_size=2_000, ignore_conflicts=True)
    return len(reminders)
