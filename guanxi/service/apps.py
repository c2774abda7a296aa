"""Django app configuration for service: working calendars and SLA policies now; cases,
surveys, follow-up visits and care reminders as they arrive (issue 12)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """The service app; grants its agents the phone of the customers whose case they
    work (``field_grants``)."""

    name = "guanxi.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from guanxi import policy
        from guanxi.service import customer_360  # noqa: F401  (registers its 360 panel)
        from guanxi.service.field_grants import open_case_phone

        policy.register_field_grant(open_case_phone)
