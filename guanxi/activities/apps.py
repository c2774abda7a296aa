"""Django app configuration for activities: visits, calls, meetings, notes and tasks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    """The activities app; adds its timeline source and its panel to the customer 360."""

    name = "guanxi.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from guanxi.activities import customer_360  # noqa: F401  (registers panel and timeline)
