"""Django app configuration for the shared core."""

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The core app; collects every domain's event types and event handlers on start."""

    name = "guanxi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Like the admin's autodiscovery: each app declares its event types in events.py and
        # subscribes in handlers.py, so a dispatcher process knows them all without any app
        # naming another. Every app's events first: a handler may subscribe to any of them.
        autodiscover_modules("events")
        autodiscover_modules("handlers")
