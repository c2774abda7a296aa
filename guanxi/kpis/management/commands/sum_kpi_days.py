"""``guanxi sum-kpi-days``: sum the process KPIs' day figures again from the source tables."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from guanxi.kpis.daily import days_rebuild


class Command(BaseCommand):
    """Rebuild every day figure (after loading or restoring data without domain events)."""

    help = _(
        "Sum the process KPIs' day figures (contacts, revenue, lifecycle moves) again from "
        "the activities, transactions and lifecycle moves, after data was loaded or restored "
        "without domain events."
    )

    def handle(self, *args, **options) -> None:
        """Rebuild and say how many rows each figure has."""
        rows = days_rebuild()
        self.stdout.write(
            _("Day figures summed: %(contacts)d contact, %(revenue)d revenue, %(moves)d move rows.")
            % rows
        )
