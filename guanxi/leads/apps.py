"""Django app configuration for leads: capture, scoring, assignment, conversion."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    """The leads app."""

    name = "guanxi.leads"
    label = "leads"
    verbose_name = _("Leads")
