"""Django app configuration for the audit log."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit app: the append-only log of reads and changes of personal data."""

    name = "guanxi.audit"
    label = "audit"
    verbose_name = _("Audit")
