"""REST endpoints of working calendars (with the official holiday schedules) and SLA
policies: parse, call a service or selector, return."""

from django.http import HttpRequest
from ninja import Router, Status

from guanxi.api_types import RecordId
from guanxi.customers.api import expected_version
from guanxi.customers.models import ValueTier
from guanxi.request_context import context_of, viewer_of
from guanxi.service import calendars, official_schedule, selectors, sla_policies
from guanxi.service.case_types import CasePriority, CaseType
from guanxi.service.holidays import uncovered_years
from guanxi.service.models import OfficialDayKind, OfficialYear, SlaPolicy, WorkingCalendar
from guanxi.service.schemas import (
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    CoverageOut,
    OfficialScheduleIn,
    OfficialScheduleOut,
    SlaPolicyIn,
    SlaPolicyOut,
    SlaPolicyPatch,
)

CHANNEL = "api"
calendars_router = Router(tags=["service"])
sla_policies_router = Router(tags=["service"])


def calendar_out(calendar: WorkingCalendar, uncovered: list[int]) -> dict:
    """The fields of ``CalendarOut``; ``uncovered``: the upcoming years without data."""
    return {
        "id": calendar.pk,
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "public_holidays": calendar.public_holidays,
        "periods": calendar.periods,
        "exceptions": [
            {"day": e.day, "working": e.working, "periods": e.periods, "note": e.note}
            for e in sorted(calendar.exceptions.all(), key=lambda e: e.day)
        ],
        "uncovered_years": selectors.calendar_uncovered_years(calendar, uncovered),
        "version": calendar.version,
    }


def _uncovered() -> list[int]:
    return uncovered_years(today=selectors.today())


def _calendar(request: HttpRequest, calendar_id: int) -> dict:
    calendar = selectors.calendar_get_for_user(viewer=viewer_of(request), calendar_id=calendar_id)
    return calendar_out(calendar, _uncovered())


@calendars_router.get("", response=list[CalendarOut])
def list_calendars(request: HttpRequest):
    """The working calendars, each with the upcoming years its holiday data lacks."""
    uncovered = _uncovered()
    found = selectors.calendar_list_for_user(viewer=viewer_of(request))
    return [calendar_out(c, uncovered) for c in found]


@calendars_router.post("", response={201: CalendarOut})
def create_calendar(request: HttpRequest, payload: CalendarIn):
    """Make a working calendar (administrators)."""
    calendar = calendars.calendar_create(
        viewer=viewer_of(request), context=context_of(request, CHANNEL), **payload.dict()
    )
    return Status(201, _calendar(request, calendar.pk))


@calendars_router.get("/coverage", response=CoverageOut)
def get_coverage(request: HttpRequest):
    """Which years China's holiday data covers, and which upcoming ones nobody does."""
    found = selectors.coverage_for_user(viewer=viewer_of(request))
    return {
        "package_first": found.package_first,
        "package_last": found.package_last,
        "entered_years": found.entered,
        "uncovered_years": found.uncovered,
    }


def schedule_out(schedule: OfficialYear) -> dict:
    """The fields of ``OfficialScheduleOut``."""
    days = sorted(schedule.days.all(), key=lambda d: d.day)
    listed = {
        kind: [{"day": d.day, "name": d.name} for d in days if d.kind == kind]
        for kind in OfficialDayKind.values
    }
    return {
        "year": schedule.year,
        "holidays": listed[OfficialDayKind.HOLIDAY],
        "workdays": listed[OfficialDayKind.WORKDAY],
        "version": schedule.version,
    }


@calendars_router.get("/official-schedules", response=list[OfficialScheduleOut])
def list_official_schedules(request: HttpRequest):
    """The official schedules administrators entered, newest year first."""
    found = selectors.official_schedule_list_for_user(viewer=viewer_of(request))
    return [schedule_out(s) for s in found]


@calendars_router.put("/official-schedules/{int:year}", response=OfficialScheduleOut)
def put_official_schedule(request: HttpRequest, year: int, payload: OfficialScheduleIn):
    """Enter or replace a year's public holidays and make-up working days (administrators;
    version 0 the first time). It takes precedence over the chinese-calendar package."""
    data = payload.dict()
    schedule = official_schedule.official_schedule_set(
        viewer=viewer_of(request),
        year=year,
        holidays=data["holidays"],
        workdays=data["workdays"],
        expected_version=expected_version(request, data["version"]),
        context=context_of(request, CHANNEL),
    )
    return schedule_out(schedule)


@calendars_router.get("/{int:calendar_id}", response=CalendarOut)
def get_calendar(request: HttpRequest, calendar_id: RecordId):
    """One working calendar."""
    return _calendar(request, calendar_id)


@calendars_router.patch("/{int:calendar_id}", response=CalendarOut)
def update_calendar(request: HttpRequest, calendar_id: RecordId, payload: CalendarPatch):
    """Change a calendar (administrators); a stale version changes nothing (409)."""
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    calendars.calendar_update(
        viewer=viewer_of(request),
        calendar_id=calendar_id,
        expected_version=version,
        context=context_of(request, CHANNEL),
        **data,
    )
    return _calendar(request, calendar_id)


def sla_policy_out(found: SlaPolicy) -> dict:
    """The fields of ``SlaPolicyOut``."""
    tier = found.value_tier
    return {
        "id": found.pk,
        "case_type": found.case_type,
        "case_type_label": str(CaseType(found.case_type).label),
        "priority": found.priority,
        "priority_label": str(CasePriority(found.priority).label),
        "value_tier": tier,
        "value_tier_label": str(ValueTier(tier).label) if tier else "",
        "first_response_minutes": found.first_response_minutes,
        "resolution_minutes": found.resolution_minutes,
        "calendar_id": found.calendar_id,
        "calendar_name": found.calendar.name,
        "version": found.version,
    }


def _policy(request: HttpRequest, policy_id: int) -> dict:
    found = selectors.sla_policy_get_for_user(viewer=viewer_of(request), policy_id=policy_id)
    return sla_policy_out(found)


@sla_policies_router.get("", response=list[SlaPolicyOut])
def list_sla_policies(request: HttpRequest):
    """The SLA policies, by case type, priority and tier."""
    found = selectors.sla_policy_list_for_user(viewer=viewer_of(request))
    return [sla_policy_out(p) for p in found]


@sla_policies_router.post("", response={201: SlaPolicyOut})
def create_sla_policy(request: HttpRequest, payload: SlaPolicyIn):
    """Add an SLA policy (administrators); one per case type, priority and tier."""
    found = sla_policies.sla_policy_create(
        viewer=viewer_of(request), context=context_of(request, CHANNEL), **payload.dict()
    )
    return Status(201, _policy(request, found.pk))


@sla_policies_router.get("/{int:policy_id}", response=SlaPolicyOut)
def get_sla_policy(request: HttpRequest, policy_id: RecordId):
    """One SLA policy."""
    return _policy(request, policy_id)


@sla_policies_router.patch("/{int:policy_id}", response=SlaPolicyOut)
def update_sla_policy(request: HttpRequest, policy_id: RecordId, payload: SlaPolicyPatch):
    """Change a policy (administrators); a stale version changes nothing (409)."""
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    version = expected_version(request, data.pop("version", None))
    sla_policies.sla_policy_update(
        viewer=viewer_of(request),
        policy_id=policy_id,
        changes=data,
        expected_version=version,
        context=context_of(request, CHANNEL),
    )
    return _policy(request, policy_id)
