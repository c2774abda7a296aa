"""``guanxi invite-surveys``: invite the customers due for the scheduled periodic surveys."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from guanxi.service.survey_schedule import surveys_invite_due


class Command(BaseCommand):
    """Run the periodic surveys' schedule once (daily, from cron or the task queue)."""

    help = _(
        "Invite the customers due for each periodic survey with a schedule and mail them "
        "its link. Running it again the same day invites nobody twice."
    )

    def handle(self, *args, **options) -> None:
        """Invite and say how many, per survey."""
        report = surveys_invite_due()
        if not report.invited:
            self.stdout.write(_("No scheduled survey invited anyone."))
        for name, count in report.invited.items():
            self.stdout.write(
                _("%(survey)s: %(count)d customers invited.") % {"survey": name, "count": count}
            )
