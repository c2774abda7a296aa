"""Django app configuration for the customer domain."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """The customers app; registers its own timeline sources on start."""

    name = "guanxi.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from guanxi.customers import timeline_sources  # noqa: F401  (registers sources)
