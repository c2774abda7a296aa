"""``guanxi schedule-follow-ups``: schedule the follow-up visits the rules say are due."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from guanxi.service.follow_ups import follow_ups_generate


class Command(BaseCommand):
    """Run the follow-up generator once (daily, from cron or the task queue)."""

    help = _(
        "Schedule follow-up visits for new customers and, by value tier, for customers not "
        "contacted as often as their contact rule asks. Running it again schedules nothing new."
    )

    def handle(self, *args, **options) -> None:
        """Generate and say how many."""
        report = follow_ups_generate()
        self.stdout.write(
            _("%(new)d follow-up visits of new customers, %(periodic)d periodic visits scheduled.")
            % {"new": report.new_customers, "periodic": report.periodic}
        )
