"""Django app configuration for the organisation domain."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    """The organisation app: company structure, user profiles, roles and API tokens."""

    name = "guanxi.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        """Forget remembered API tokens when tokens, users or profiles change."""
        from guanxi.org.authentication import connect_signals

        connect_signals()
