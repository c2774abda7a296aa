"""Django app configuration for service: working calendars and SLA policies now; cases,
surveys, follow-up visits and care reminders as they arrive (issue 12)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """The service app."""

    name = "guanxi.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from guanxi.service import customer_360  # noqa: F401  (registers its 360 panel)
