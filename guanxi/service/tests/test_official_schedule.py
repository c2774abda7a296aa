"""Official holiday schedules: a year administrators enter takes precedence over the
chinese-calendar package, makes a year computable that the package does not cover, and is
refused whole when any of it is wrong."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from guanxi.audit.models import AuditEntry
from guanxi.service import official_schedule
from guanxi.service.loader import working_time_for
from guanxi.service.models import OfficialDay, OfficialYear
from guanxi.service.sla_policies import sla_deadlines, sla_policy_create
from guanxi.service.tests.conftest import CONTEXT

URL = "/api/v1/calendars/official-schedules"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YEAR_2027 = {
    "holidays": [
        {"day": "2027-01-01", "name": "元旦"},
        {"day": "2027-01-02", "name": "元旦"},
        {"day": "2027-01-03", "name": "元旦"},
    ],
    "workdays": [],
    "version": 0,
}


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json()["detail"]}


@pytest.fixture
def complaint_policy(desk, admin_viewer):
    """Complaints of normal priority: first answer in 8 working hours."""
    return sla_policy_create(
        viewer=admin_viewer, case_type="complaint", priority="normal",
        first_response_minutes=8 * 60, resolution_minutes=3 * 7 * 60, calendar_id=desk.pk,
        context=CONTEXT,
    )  # fmt: skip


def test_a_late_december_complaint_is_refused_until_2027_is_entered_then_computed(
    api_as, complaint_policy
):
    received = datetime(2026, 12, 31, 16, tzinfo=SHANGHAI)
    with pytest.raises(ValidationError) as refused:
        sla_deadlines(sla_policy=complaint_policy, received_at=received)
    message = refused.value.message_dict["received_at"][0]
    assert "2027-01-01" in message and "2027" in message
    response = api_as("admin").put(f"{URL}/2027", NEW_YEAR_2027, content_type="application/json")
    assert response.status_code == 200, response.content
    due = sla_deadlines(sla_policy=complaint_policy, received_at=received)
    # 1.5 hours on the 31st; 1–3 January off; 6.5 hours on Monday the 4th.
    assert due.first_response == datetime(2027, 1, 4, 17, tzinfo=SHANGHAI)


def test_an_entered_year_takes_precedence_over_the_package(admin_viewer, desk):
    start = datetime(2026, 11, 9, 16, tzinfo=SHANGHAI)
    before = working_time_for(desk).deadline_after(start, timedelta(hours=2))
    official_schedule.official_schedule_set(
        viewer=admin_viewer, year=2026, holidays=[{"day": start.date().replace(day=10),
        "name": "测试假日"}], workdays=[], expected_version=0, context=CONTEXT,
    )  # fmt: skip
    after = working_time_for(desk).deadline_after(start, timedelta(hours=2))
    assert before == datetime(2026, 11, 10, 9, 30, tzinfo=SHANGHAI)
    assert after == datetime(2026, 11, 11, 9, 30, tzinfo=SHANGHAI)
    # The package's National Day is replaced too: the entered year is the whole truth.
    national_day = datetime(2026, 10, 1, 9, tzinfo=SHANGHAI)
    assert working_time_for(desk).is_working(national_day)


def test_entering_a_year_is_audited_with_its_days(api_as):
    api_as("admin").put(f"{URL}/2027", NEW_YEAR_2027, content_type="application/json")
    entry = AuditEntry.objects.get(object_type="official_schedule")
    assert entry.changes["holiday"][1][0] == ["2027-01-01", "元旦"]


def test_a_date_outside_the_year_is_refused_naming_it_and_nothing_is_written(api_as):
    body = {**NEW_YEAR_2027, "workdays": [{"day": "2026-12-26", "name": "元旦"}]}
    response = api_as("admin").put(f"{URL}/2027", body, content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"workdays.0.day"}
    assert not OfficialYear.objects.exists() and not OfficialDay.objects.exists()
    assert not AuditEntry.objects.filter(object_type="official_schedule").exists()


def test_a_date_both_holiday_and_workday_is_refused_naming_the_second(api_as):
    body = {**NEW_YEAR_2027, "workdays": [{"day": "2027-01-02", "name": "元旦"}]}
    response = api_as("admin").put(f"{URL}/2027", body, content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"workdays.0.day"}
    assert not OfficialYear.objects.exists()


def test_a_year_without_holidays_is_refused(api_as):
    body = {"holidays": [], "version": 0}
    response = api_as("admin").put(f"{URL}/2027", body, content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"holidays"}
    assert not OfficialYear.objects.exists()


def test_a_year_out_of_range_is_refused_naming_it(api_as):
    response = api_as("admin").put(f"{URL}/1999", NEW_YEAR_2027, content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"year"}


def test_replacing_a_year_needs_the_version_read(api_as):
    client = api_as("admin")
    client.put(f"{URL}/2027", NEW_YEAR_2027, content_type="application/json")
    again = {**NEW_YEAR_2027, "holidays": NEW_YEAR_2027["holidays"][:1]}
    stale = client.put(f"{URL}/2027", again, content_type="application/json")
    assert stale.status_code == 409
    assert OfficialDay.objects.count() == 3
    fresh = client.put(f"{URL}/2027", {**again, "version": 1}, content_type="application/json")
    assert fresh.status_code == 200
    assert fresh.json()["version"] == 2
    assert OfficialDay.objects.count() == 1


@pytest.mark.parametrize("role", ["service_agent", "branch_manager", "team_lead"])
def test_only_administrators_enter_a_schedule(role, api_as):
    response = api_as(role).put(f"{URL}/2027", NEW_YEAR_2027, content_type="application/json")
    assert response.status_code == 403
    assert not OfficialYear.objects.exists()


def test_service_staff_read_the_entered_schedules(api_as):
    api_as("admin").put(f"{URL}/2027", NEW_YEAR_2027, content_type="application/json")
    shown = api_as("service_agent").get(URL).json()
    assert [(s["year"], len(s["holidays"])) for s in shown] == [(2027, 3)]


def test_the_coverage_names_the_uncovered_year_until_it_is_entered(api_as, fixed_today):
    client = api_as("service_agent")
    coverage = client.get("/api/v1/calendars/coverage").json()
    assert coverage == {
        "package_first": 2004,
        "package_last": 2026,
        "entered_years": [],
        "uncovered_years": [2027],
    }
    api_as("admin").put(f"{URL}/2027", NEW_YEAR_2027, content_type="application/json")
    coverage = client.get("/api/v1/calendars/coverage").json()
    assert (coverage["entered_years"], coverage["uncovered_years"]) == ([2027], [])
