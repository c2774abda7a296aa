"""Django app configuration for insights."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The insights app; adds its panel to the customer 360 and its timeline events."""

    name = "guanxi.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from guanxi.customers.list_analytics import register_current_run
        from guanxi.insights import (
            current_run,
            customer_360,  # noqa: F401  (registers panel and timeline)
        )

        register_current_run(current_run.current_run_id)
        current_run.connect_signals()
