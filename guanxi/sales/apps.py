"""Django app configuration for sales: pipelines and opportunities."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """The sales app; adds its open-opportunities panel to the customer 360."""

    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from guanxi.sales import panels  # noqa: F401  (registers the 360 panel)
