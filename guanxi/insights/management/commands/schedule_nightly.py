"""``guanxi schedule-nightly``: queue the nightly analysis run (once; it then keeps itself)."""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.insights.tasks import next_nightly_time, schedule_nightly


class Command(BaseCommand):
    """Queue the nightly analysis for the configured hour unless one is already queued."""

    help = _(
        "Queue the nightly analysis run for GUANXI_NIGHTLY_HOUR (local time, default 2). "
        "Each nightly run queues the next one, so this is needed once; running it again "
        "changes nothing. The background worker (guanxi db_worker) must be running."
    )

    def handle(self, *args, **options) -> None:
        """Queue the run, or say that one is already waiting."""
        if schedule_nightly():
            at = f"{timezone.localtime(next_nightly_time()):%Y-%m-%d %H:%M}"
            self.stdout.write(_("Nightly analysis queued for %(at)s.") % {"at": at})
        else:
            self.stdout.write(_("A nightly analysis run is already queued."))
