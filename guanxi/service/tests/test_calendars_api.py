"""The calendars API: administrators write, service staff and managers read; every mistake
is a 4xx naming its field and writes nothing; writes are audited and versioned."""

import pytest

from guanxi.audit.models import AuditEntry
from guanxi.service.models import CalendarException, WorkingCalendar
from guanxi.service.tests.conftest import LUNCH_BREAK_WEEK

URL = "/api/v1/calendars"


def _body(**fields) -> dict:
    return {"name": "北京营业部", "periods": LUNCH_BREAK_WEEK, **fields}


def _audited(object_type: str = "working_calendar") -> int:
    return AuditEntry.objects.filter(object_type=object_type).count()


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json()["detail"]}


def test_an_administrator_creates_a_calendar_with_a_lunch_break(api_as):
    response = api_as("admin").post(URL, _body(), content_type="application/json")
    assert response.status_code == 201, response.content
    shown = response.json()
    assert shown["time_zone"] == "Asia/Shanghai"
    assert shown["periods"][:2] == [
        {"weekday": 0, "start": "09:00", "end": "12:00"},
        {"weekday": 0, "start": "13:30", "end": "17:30"},
    ]
    assert shown["version"] == 1
    assert _audited() == 1


def test_overlapping_periods_are_refused_naming_the_later_one_and_nothing_is_written(api_as):
    periods = [
        {"weekday": 2, "start": "09:00", "end": "12:00"},
        {"weekday": 2, "start": "11:00", "end": "14:00"},
    ]
    response = api_as("admin").post(URL, _body(periods=periods), content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"periods.1.start"}
    assert not WorkingCalendar.objects.exists()
    assert _audited() == 0


def test_the_same_hours_on_different_weekdays_do_not_overlap(api_as):
    periods = [
        {"weekday": 0, "start": "09:00", "end": "12:00"},
        {"weekday": 1, "start": "09:00", "end": "12:00"},
    ]
    response = api_as("admin").post(URL, _body(periods=periods), content_type="application/json")
    assert response.status_code == 201


def test_a_period_ending_before_it_starts_is_refused_naming_its_end(api_as):
    periods = [{"weekday": 0, "start": "17:00", "end": "09:00"}]
    response = api_as("admin").post(URL, _body(periods=periods), content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"periods.0.end"}
    assert not WorkingCalendar.objects.exists()


def test_a_time_that_is_no_clock_time_is_refused_naming_it(api_as):
    periods = [{"weekday": 0, "start": "9点", "end": "25:00"}]
    response = api_as("admin").post(URL, _body(periods=periods), content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"periods.0.start", "periods.0.end"}
    assert not WorkingCalendar.objects.exists()


def test_a_period_may_end_at_midnight(api_as):
    periods = [{"weekday": 6, "start": "00:00", "end": "24:00"}]
    response = api_as("admin").post(URL, _body(periods=periods), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["periods"] == periods


def test_an_unknown_time_zone_is_refused_naming_it_and_nothing_is_written(api_as):
    body = _body(time_zone="Asia/Beijing")  # not an IANA zone: China's is Asia/Shanghai
    response = api_as("admin").post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"time_zone"}
    assert not WorkingCalendar.objects.exists()
    assert _audited() == 0


def test_a_bad_weekday_is_refused_naming_it(api_as):
    periods = [{"weekday": 7, "start": "09:00", "end": "12:00"}]
    response = api_as("admin").post(URL, _body(periods=periods), content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"periods.0.weekday"}


def test_a_working_exception_without_periods_is_refused_naming_them(api_as):
    exceptions = [{"day": "2026-11-14", "working": True}]
    response = api_as("admin").post(
        URL, _body(exceptions=exceptions), content_type="application/json"
    )
    assert response.status_code == 422
    assert _fields(response) == {"exceptions.0.periods"}
    assert not WorkingCalendar.objects.exists()
    assert not CalendarException.objects.exists()


def test_two_exceptions_on_one_date_are_refused_naming_the_second(api_as):
    exceptions = [{"day": "2026-11-10", "note": "盘点"}, {"day": "2026-11-10", "note": "培训"}]
    response = api_as("admin").post(
        URL, _body(exceptions=exceptions), content_type="application/json"
    )
    assert response.status_code == 422
    assert _fields(response) == {"exceptions.1.day"}


def test_a_second_calendar_of_the_same_name_is_a_409_naming_it(api_as, desk):
    response = api_as("admin").post(URL, _body(name=desk.name), content_type="application/json")
    assert response.status_code == 409
    assert _fields(response) == {"name"}
    assert response.json()["existing_id"] == desk.pk
    assert WorkingCalendar.objects.count() == 1


@pytest.mark.parametrize("role", ["service_agent", "branch_manager", "team_lead"])
def test_service_staff_and_managers_read_calendars(role, api_as, desk):
    client = api_as(role)
    assert [c["id"] for c in client.get(URL).json()] == [desk.pk]
    assert client.get(f"{URL}/{desk.pk}").json()["name"] == desk.name


@pytest.mark.parametrize("role", ["service_agent", "branch_manager", "account_manager"])
def test_only_administrators_create_calendars(role, api_as):
    response = api_as(role).post(URL, _body(), content_type="application/json")
    assert response.status_code == 403
    assert not WorkingCalendar.objects.exists()


def test_an_account_manager_does_not_read_calendars(api_as, desk):
    assert api_as("account_manager").get(URL).status_code == 403


def test_an_unknown_calendar_is_a_404(api_as):
    assert api_as("admin").get(f"{URL}/999").status_code == 404


def test_an_update_with_exceptions_moves_the_version_and_is_audited(api_as, desk):
    body = {
        "version": 1,
        "exceptions": [
            {"day": "2026-11-10", "note": "系统升级"},
            {"day": "2026-11-14", "working": True, "periods": [{"start": "09:00", "end": "12:00"}]},
        ],
    }
    response = api_as("admin").patch(f"{URL}/{desk.pk}", body, content_type="application/json")
    assert response.status_code == 200, response.content
    shown = response.json()
    assert shown["version"] == 2
    assert [e["day"] for e in shown["exceptions"]] == ["2026-11-10", "2026-11-14"]
    assert shown["exceptions"][0]["working"] is False
    entry = AuditEntry.objects.filter(object_type="working_calendar", action="update").get()
    assert entry.changes["exceptions"][0] == []


def test_an_update_on_a_stale_version_is_a_409_and_changes_nothing(api_as, desk):
    client = api_as("admin")
    body = {"version": 1, "name": "新名字"}
    assert (
        client.patch(f"{URL}/{desk.pk}", body, content_type="application/json").status_code == 200
    )
    stale = {"version": 1, "time_zone": "Europe/London"}
    response = client.patch(f"{URL}/{desk.pk}", stale, content_type="application/json")
    assert response.status_code == 409
    desk.refresh_from_db()
    assert (desk.time_zone, desk.version) == ("Asia/Shanghai", 2)


def test_an_update_without_a_version_is_refused_naming_it(api_as, desk):
    response = api_as("admin").patch(
        f"{URL}/{desk.pk}", {"name": "新名字"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert _fields(response) == {"version"}
    desk.refresh_from_db()
    assert desk.name == "客服中心"


def test_an_update_with_overlapping_periods_changes_nothing(api_as, desk):
    periods = [
        {"weekday": 0, "start": "09:00", "end": "12:00"},
        {"weekday": 0, "start": "08:00", "end": "09:30"},
    ]
    response = api_as("admin").patch(
        f"{URL}/{desk.pk}", {"version": 1, "periods": periods}, content_type="application/json"
    )
    assert response.status_code == 422
    assert _fields(response) == {"periods.0.start"}
    desk.refresh_from_db()
    assert desk.periods == LUNCH_BREAK_WEEK and desk.version == 1
    assert _audited() == 1  # the creation only


def test_a_calendar_shows_the_upcoming_years_without_holiday_data(api_as, desk, fixed_today):
    assert api_as("admin").get(f"{URL}/{desk.pk}").json()["uncovered_years"] == [2027]


def test_a_calendar_without_public_holidays_has_no_uncovered_years(api_as, fixed_today):
    body = _body(public_holidays=False)
    response = api_as("admin").post(URL, body, content_type="application/json")
    assert response.json()["uncovered_years"] == []


def test_a_calendar_without_any_working_period_is_refused_naming_the_periods(api_as):
    response = api_as("admin").post(URL, _body(periods=[]), content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"periods"}
    assert not WorkingCalendar.objects.exists()
