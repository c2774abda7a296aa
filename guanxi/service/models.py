"""What the service desk keeps: working calendars (with administrators' exceptions), the
official holiday schedule of a year as administrators enter it, and SLA policies.

A calendar's weekly periods and an exception's periods are JSON lists of wall-clock times
(``{"weekday": 0, "start": "09:00", "end": "12:00"}``, Monday = 0; exceptions without a
weekday): they are always read and written whole with their record, and validated by
``guanxi.service.periods`` before they are stored.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import ValueTier
from guanxi.service.case_types import CasePriority, CaseType

DEFAULT_TIME_ZONE = "Asia/Shanghai"


class WorkingCalendar(models.Model):
    """When a service desk works: a time zone, working periods per weekday (a lunch break
    is the gap between two), whether China's public holidays and make-up working days
    apply, and exceptions an administrator adds."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIME_ZONE)
    periods = models.JSONField(_("working periods"), default=list)
    public_holidays = models.BooleanField(
        _("China's public holidays apply"),
        default=True,
        help_text=_("Public holidays are off and make-up working days (调休) work."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def __str__(self) -> str:
        return self.name


class CalendarException(models.Model):
    """One date of one calendar an administrator set: off, or working its own periods."""

    calendar = models.ForeignKey(
        WorkingCalendar, on_delete=models.CASCADE, related_name="exceptions"
    )
    day = models.DateField(_("date"))
    working = models.BooleanField(_("working"), default=False)
    periods = models.JSONField(_("working periods"), default=list)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="calendar_exception_day")
        ]

    def __str__(self) -> str:
        return f"{self.calendar_id} {self.day}"


class OfficialYear(models.Model):
    """A year's official schedule of public holidays and make-up working days, entered by an
    administrator from the State Council's notice; it replaces the ``chinese-calendar``
    package's data for that year."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )  # fmt: skip
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("official schedule")
        verbose_name_plural = _("official schedules")

    def __str__(self) -> str:
        return str(self.year)


class OfficialDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Make-up working day")


class OfficialDay(models.Model):
    """One public holiday or make-up working day of an official schedule, with its name."""

    schedule = models.ForeignKey(OfficialYear, on_delete=models.CASCADE, related_name="days")
    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=OfficialDayKind.choices)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("official day")
        verbose_name_plural = _("official days")

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.name}"


class SlaPolicy(models.Model):
    """First-response and resolution targets, in working minutes on a calendar, for a case
    type and priority, and a customer value tier (blank: any tier). The most specific
    policy matching a case applies, so a tier's own policy — the "green channel" of higher
    tiers — wins over the any-tier one."""

    case_type = models.CharField(_("case type"), max_length=32, choices=CaseType.choices)
    priority = models.CharField(_("priority"), max_length=16, choices=CasePriority.choices)
    value_tier = models.CharField(
        _("value tier"), max_length=16, choices=ValueTier.choices, blank=True, default=""
    )
    first_response_minutes = models.PositiveIntegerField(_("first response (working minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (working minutes)"))
    calendar = models.ForeignKey(
        WorkingCalendar, on_delete=models.PROTECT, related_name="sla_policies",
        verbose_name=_("working calendar"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            # Also the resolver's index: (type, priority) then the tier or blank.
            models.UniqueConstraint(
                fields=["case_type", "priority", "value_tier"], name="sla_policy_unique"
            ),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0)
                & Q(resolution_minutes__gte=F("first_response_minutes")),
                name="sla_policy_targets",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_type}/{self.priority}/{self.value_tier or '*'}"


from guanxi.service.care_models import (  # noqa: E402,F401
    CareHoliday,
    CareReminder,
    FollowUp,
    FollowUpRule,
    GreetingTemplate,
)
from guanxi.service.case_models import (  # noqa: E402,F401  (the app's models, one module each idea)
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseCategory,
    CaseTransition,
    CorrectiveAction,
    RootCause,
    ServiceQueue,
)
from guanxi.service.survey_models import (  # noqa: E402,F401
    SurveyElementRating,
    SurveyInvitation,
    SurveyResponse,
    SurveyTemplate,
)
