"""``guanxi send-reminders``: send the calendar reminders that are due (run it every minute
from cron or a timer, or with ``--watch``)."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from guanxi.scheduling.reminders import reminders_send_due


class Command(BaseCommand):
    help = "Send the calendar reminders that are due, each once."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--watch", type=int, metavar="SECONDS", default=0, help="repeat every SECONDS"
        )

    def handle(self, *args, watch: int = 0, **options) -> None:
        while True:
            report = reminders_send_due()
            self.stdout.write(
                _("%(sent)d reminders sent, %(failed)d failed.")
                % {"sent": report.sent, "failed": report.failed}
            )
            if not watch:
                return
            time.sleep(watch)
