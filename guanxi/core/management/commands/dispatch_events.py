"""``guanxi dispatch-events``: hand pending domain events to their handlers."""

import time

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from guanxi.core.events.dispatch import dispatch_pending, retry_given_up
from guanxi.core.events.models import HandlerReceipt, ReceiptStatus


class Command(BaseCommand):
    """Work off the outbox once, or keep polling it; list handlers that failed, or give
    those that gave up another round."""

    help = _(
        "Hand committed domain events to their handlers, oldest first, and retry handlers "
        "that failed once their wait is over. The background worker (guanxi db-worker) "
        "does this by itself after each change; this command catches up, or keeps "
        "dispatching with --watch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Command-line options."""
        parser.add_argument(
            "--watch",
            type=float,
            metavar="SECONDS",
            help=_("Keep dispatching, looking for new events every SECONDS."),
        )
        parser.add_argument(
            "--failures",
            action="store_true",
            help=_("List the handlers that failed or gave up, with their last error."),
        )
        parser.add_argument(
            "--retry-given-up",
            action="store_true",
            help=_(
                "Give the handlers that gave up a new round of attempts (after fixing the "
                "cause), then dispatch; --handler and --event narrow it down."
            ),
        )
        parser.add_argument("--handler", help=_("Only this handler (with --retry-given-up)."))
        parser.add_argument(
            "--event", type=int, help=_("Only this event id (with --retry-given-up).")
        )

    def handle(self, *args, **options) -> None:
        """Dispatch (once or repeatedly) or list failures."""
        if options["failures"]:
            self._list_failures()
            return
        if options["retry_given_up"]:
            count = retry_given_up(handler=options["handler"], event_id=options["event"])
            self.stdout.write(_("%(count)s handler runs will be tried again.") % {"count": count})
        while True:
            report = dispatch_pending()
            if options["verbosity"] and (report.dispatched or report.failed or report.gave_up):
                self.stdout.write(
                    _(
                        "%(dispatched)s events dispatched, %(succeeded)s handler runs "
                        "succeeded, %(failed)s failed (to be retried), %(gave_up)s gave up."
                    )
                    % {
                        "dispatched": report.dispatched,
                        "succeeded": report.succeeded,
                        "failed": report.failed,
                        "gave_up": report.gave_up,
                    }
                )
            if options["watch"] is None:
                return
            time.sleep(options["watch"])

    def _list_failures(self) -> None:
        failed = HandlerReceipt.objects.exclude(status=ReceiptStatus.SUCCEEDED)
        for receipt in failed.select_related("event").order_by("event_id", "handler"):
            error = receipt.last_error.strip().splitlines()[-1:] or [""]
            self.stdout.write(
                f"#{receipt.event_id} {receipt.event.name} {receipt.handler}: "
                f"{receipt.get_status_display()} ({receipt.attempts}) {error[0]}"
            )
