"""Django app configuration for scheduling: calendars, busy times, reminders, notifications
and the personal iCalendar feed, on top of the activities (meetings and visits are
activities with a start, an end and participants)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    """The scheduling app (its event handlers are imported by the core app)."""

    name = "guanxi.scheduling"
    label = "scheduling"
    verbose_name = _("Calendar")
