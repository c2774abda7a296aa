"""Django app configuration for plans: week and month plans, reviews and completion."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """The plans app."""

    name = "guanxi.plans"
    label = "plans"
    verbose_name = _("Plans")
