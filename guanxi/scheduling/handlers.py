"""What the calendar does when activities change (see guanxi.core.events): keep their
reminders in step, however they were changed (the activity pages, the API, my day)."""

from guanxi.activities.models import Activity
from guanxi.core.events import Delivered, subscribe
from guanxi.scheduling.reminders import reminders_sync


@subscribe("activity.logged", "activity.changed", handler="scheduling.sync_reminders")
def sync_reminders(delivered: Delivered) -> None:
    """Recompute the activity's reminders (idempotent)."""
    activity = Activity.objects.filter(pk=delivered.record_id).first()
    if activity is not None:
        reminders_sync(activity=activity)
