"""``guanxi escalate-leads``: give leads nobody answered in time to the team lead."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from guanxi.leads.escalation import leads_escalate


class Command(BaseCommand):
    """Escalate untouched leads (run it every hour, e.g. from cron)."""

    help = _(
        "Escalate open leads with no first response after GUANXI_LEADS "
        "escalate_after_hours to the owner's team lead."
    )

    def handle(self, *args, **options) -> None:
        """Escalate and say how many."""
        count = leads_escalate()
        self.stdout.write(_("%(count)d leads escalated.") % {"count": count})
