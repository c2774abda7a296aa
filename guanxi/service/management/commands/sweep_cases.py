"""``guanxi sweep-cases``: warn cases near their SLA deadline, escalate breached ones."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from guanxi.service.sweep import cases_sweep


class Command(BaseCommand):
    """Run the SLA sweep once (every few minutes, from cron or the task queue)."""

    help = _(
        "Warn open cases near their resolution deadline and escalate breached ones to the "
        "team lead, then the branch manager."
    )

    def handle(self, *args, **options) -> None:
        """Sweep and say how many."""
        report = cases_sweep()
        self.stdout.write(
            _("%(warned)d cases warned, %(escalated)d escalations.")
            % {"warned": report.warned, "escalated": report.escalated}
        )
