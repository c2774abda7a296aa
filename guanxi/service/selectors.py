"""Reading the service desk's reference data: working calendars (with the upcoming years
their holiday data does not cover yet), official schedules and SLA policies.

Each asks the policy first; a record that does not exist is ``DoesNotExist`` (a 404).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from guanxi import policy
from guanxi.service import holidays
from guanxi.service.models import OfficialYear, SlaPolicy, WorkingCalendar


def today() -> date:
    """The local date coverage is counted from (tests fix it)."""
    return timezone.localdate()


def calendar_list_for_user(*, viewer: policy.Viewer) -> QuerySet[WorkingCalendar]:
    """Every working calendar, by name, with its exceptions."""
    policy.require(viewer, "working_calendar.view")
    return WorkingCalendar.objects.prefetch_related("exceptions").order_by("name", "id")


def calendar_get_for_user(*, viewer: policy.Viewer, calendar_id: int) -> WorkingCalendar:
    """One working calendar, with its exceptions."""
    policy.require(viewer, "working_calendar.view")
    return WorkingCalendar.objects.prefetch_related("exceptions").get(pk=calendar_id)


def calendar_uncovered_years(calendar: WorkingCalendar, uncovered: list[int]) -> list[int]:
    """The upcoming years without holiday data that matter to this calendar (none when
    public holidays do not apply to it)."""
    return uncovered if calendar.public_holidays else []


@dataclass(frozen=True)
class Coverage:
    """Which years holiday data covers: the package's span, the years administrators
    entered, and this year and the next ones nobody covers yet."""

    package_first: int
    package_last: int
    entered: list[int]
    uncovered: list[int]


def coverage_for_user(*, viewer: policy.Viewer) -> Coverage:
    """The holiday data's coverage, counted from today."""
    policy.require(viewer, "working_calendar.view")
    return Coverage(
        package_first=min(holidays.PACKAGE_YEARS),
        package_last=max(holidays.PACKAGE_YEARS),
        entered=sorted(holidays.entered_years()),
        uncovered=holidays.uncovered_years(today=today()),
    )


def official_schedule_list_for_user(*, viewer: policy.Viewer) -> QuerySet[OfficialYear]:
    """The official schedules administrators entered, newest year first, with their days."""
    policy.require(viewer, "working_calendar.view")
    return OfficialYear.objects.prefetch_related("days").order_by("-year")


def sla_policy_list_for_user(*, viewer: policy.Viewer) -> QuerySet[SlaPolicy]:
    """Every SLA policy, by case type, priority and tier (any tier first)."""
    policy.require(viewer, "sla_policy.view")
    return SlaPolicy.objects.select_related("calendar").order_by(
        "case_type", "priority", "value_tier", "id"
    )


def sla_policy_get_for_user(*, viewer: policy.Viewer, policy_id: int) -> SlaPolicy:
    """One SLA policy."""
    policy.require(viewer, "sla_policy.view")
    return SlaPolicy.objects.select_related("calendar").get(pk=policy_id)
