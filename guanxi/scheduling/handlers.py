"""What the calendar does when activities change (see guanxi.core.events): keep their
reminders in step, however they were changed (the activity pages, the API, my day), and
tell participants added to an open activity later that they are invited."""

from guanxi.activities.models import Activity, ActivityStatus
from guanxi.core.events import Delivered, subscribe
from guanxi.scheduling.notify import notify_invited
from guanxi.scheduling.reminders import reminders_sync


@subscribe("activity.logged", "activity.changed", handler="scheduling.sync_reminders")
def sync_reminders(delivered: Delivered) -> None:
    """Recompute the activity's reminders (idempotent)."""
    activity = Activity.objects.filter(pk=delivered.record_id).first()
    if activity is not None:
        reminders_sync(activity=activity)


@subscribe("activity.changed", handler="scheduling.invite_added_participants")
def invite_added_participants(delivered: Delivered) -> None:
    """Notify participants of an open activity not told yet (idempotent)."""
    if "participant_ids" not in getattr(delivered.event, "fields", []):
        return
    activity = (
        Activity.objects.select_related("customer", "lead", "owner__profile")
        .filter(pk=delivered.record_id, status=ActivityStatus.OPEN)
        .first()
    )
    if activity is not None:
        notify_invited(activity=activity, inviter_id=delivered.actor_id)
