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
        from guanxi.insights import customer_360  # noqa: F401  (registers panel and timeline)
        from guanxi.insights.models import AnalysisRun

        register_current_run(AnalysisRun.objects.latest_finished_id)
