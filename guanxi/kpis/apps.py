"""Django app configuration for the process KPIs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpisConfig(AppConfig):
    """The process-KPI app: figures read from the other domains' tables and from day figures
    summed ahead of time."""

    name = "guanxi.kpis"
    label = "kpis"
    verbose_name = _("Process KPIs")
