"""SLA policies: the most specific one applies (a tier's own beats the any-tier one, the
green channel of higher tiers); writes are checked per field, audited and versioned."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from guanxi.audit.models import AuditEntry
from guanxi.service import calendars
from guanxi.service.loader import working_time_for
from guanxi.service.models import SlaPolicy
from guanxi.service.sla_policies import sla_deadlines, sla_policy_create, sla_policy_resolve
from guanxi.service.tests.conftest import CONTEXT

URL = "/api/v1/sla-policies"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json()["detail"]}


@pytest.fixture
def make_policy(desk, admin_viewer):
    def make(value_tier: str = "", first: int = 240, resolution: int = 2400, **fields):
        values = {"case_type": "complaint", "priority": "normal", **fields}
        return sla_policy_create(
            viewer=admin_viewer, value_tier=value_tier, first_response_minutes=first,
            resolution_minutes=resolution, calendar_id=desk.pk, context=CONTEXT, **values,
        )  # fmt: skip

    return make


def _body(desk, **fields) -> dict:
    return {
        "case_type": "complaint",
        "priority": "high",
        "value_tier": "platinum",
        "first_response_minutes": 30,
        "resolution_minutes": 480,
        "calendar_id": desk.pk,
        **fields,
    }


def test_a_tiers_own_policy_beats_the_any_tier_one(make_policy):
    make_policy()
    platinum = make_policy("platinum", first=30, resolution=480)
    assert sla_policy_resolve(case_type="complaint", priority="normal", value_tier="platinum") == (
        platinum
    )


def test_a_tier_without_its_own_policy_gets_the_any_tier_one(make_policy):
    anyone = make_policy()
    make_policy("platinum", first=30, resolution=480)
    found = sla_policy_resolve(case_type="complaint", priority="normal", value_tier="standard")
    assert found == anyone


def test_no_matching_policy_is_none(make_policy):
    make_policy()
    assert sla_policy_resolve(case_type="inquiry", priority="normal", value_tier="gold") is None


def test_the_green_channel_answers_platinum_customers_sooner(make_policy):
    received = datetime(2026, 11, 10, 10, tzinfo=SHANGHAI)
    standard = sla_deadlines(sla_policy=make_policy(), received_at=received)
    platinum = sla_deadlines(
        sla_policy=make_policy("platinum", first=30, resolution=480), received_at=received
    )
    assert platinum.first_response == datetime(2026, 11, 10, 10, 30, tzinfo=SHANGHAI)
    assert standard.first_response == datetime(2026, 11, 10, 15, 30, tzinfo=SHANGHAI)


def test_an_administrators_day_off_moves_the_deadline_of_a_policy(make_policy, desk, admin_viewer):
    found = make_policy()
    received = datetime(2026, 11, 9, 16, tzinfo=SHANGHAI)
    assert sla_deadlines(sla_policy=found, received_at=received).first_response == datetime(
        2026, 11, 10, 11, 30, tzinfo=SHANGHAI
    )
    calendars.calendar_update(
        viewer=admin_viewer, calendar_id=desk.pk, expected_version=1, context=CONTEXT,
        exceptions=[{"day": received.date() + timedelta(days=1), "note": "系统升级"}],
    )  # fmt: skip
    found.refresh_from_db()
    assert sla_deadlines(sla_policy=found, received_at=received).first_response == datetime(
        2026, 11, 11, 11, 30, tzinfo=SHANGHAI
    )


def test_the_working_time_of_a_calendar_is_built_once_per_version(desk, admin_viewer):
    first = working_time_for(desk)
    assert working_time_for(desk) is first
    calendars.calendar_update(
        viewer=admin_viewer, calendar_id=desk.pk, expected_version=1, context=CONTEXT,
        name="客服中心（新）",
    )  # fmt: skip
    desk.refresh_from_db()
    assert working_time_for(desk) is not first


def test_an_administrator_creates_a_policy_audited(api_as, desk):
    response = api_as("admin").post(URL, _body(desk), content_type="application/json")
    assert response.status_code == 201, response.content
    shown = response.json()
    assert (shown["value_tier"], shown["calendar_name"], shown["version"]) == (
        "platinum", desk.name, 1
    )  # fmt: skip
    assert AuditEntry.objects.filter(object_type="sla_policy", action="create").count() == 1


def test_an_unknown_case_type_is_refused_naming_it_and_nothing_is_written(api_as, desk):
    response = api_as("admin").post(
        URL, _body(desk, case_type="gossip"), content_type="application/json"
    )
    assert response.status_code == 422
    assert _fields(response) == {"case_type"}
    assert not SlaPolicy.objects.exists()
    assert not AuditEntry.objects.filter(object_type="sla_policy").exists()


def test_negative_targets_are_refused_naming_them_and_nothing_is_written(api_as, desk):
    body = _body(desk, first_response_minutes=-5, resolution_minutes=-1)
    response = api_as("admin").post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"first_response_minutes", "resolution_minutes"}
    assert not SlaPolicy.objects.exists()


def test_a_first_response_after_resolution_is_refused(api_as, desk):
    body = _body(desk, first_response_minutes=600, resolution_minutes=480)
    response = api_as("admin").post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"first_response_minutes"}
    assert not SlaPolicy.objects.exists()


def test_an_unknown_tier_priority_and_calendar_are_each_named(api_as, desk):
    body = _body(desk, value_tier="diamond", priority="asap", calendar_id=999)
    response = api_as("admin").post(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"value_tier", "priority", "calendar_id"}
    assert not SlaPolicy.objects.exists()


def test_a_second_policy_for_the_same_key_is_a_409(api_as, desk):
    client = api_as("admin")
    first = client.post(URL, _body(desk), content_type="application/json").json()
    response = client.post(URL, _body(desk), content_type="application/json")
    assert response.status_code == 409
    assert response.json()["existing_id"] == first["id"]
    assert SlaPolicy.objects.count() == 1


@pytest.mark.parametrize("role", ["service_agent", "branch_manager", "team_lead"])
def test_service_staff_and_managers_read_policies_but_do_not_write_them(role, api_as, make_policy):
    found = make_policy()
    client = api_as(role)
    assert [p["id"] for p in client.get(URL).json()] == [found.pk]
    assert (
        client.get(f"{URL}/{found.pk}").json()["case_type_label"] == "投诉"
    )  # the default language
    body = {"version": 1, "resolution_minutes": 9}
    refused = client.patch(f"{URL}/{found.pk}", body, content_type="application/json")
    assert refused.status_code == 403
    found.refresh_from_db()
    assert (found.resolution_minutes, found.version) == (2400, 1)


@pytest.mark.parametrize("role", ["account_manager", "marketer", "analyst"])
def test_other_roles_do_not_read_policies(role, api_as):
    assert api_as(role).get(URL).status_code == 403


def test_an_update_changes_the_target_and_is_audited(api_as, make_policy):
    found = make_policy()
    response = api_as("admin").patch(
        f"{URL}/{found.pk}", {"version": 1, "resolution_minutes": 4800},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert (response.json()["resolution_minutes"], response.json()["version"]) == (4800, 2)
    entry = AuditEntry.objects.get(object_type="sla_policy", action="update")
    assert entry.changes == {"resolution_minutes": [2400, 4800]}


def test_an_update_on_a_stale_version_changes_nothing(api_as, make_policy):
    found = make_policy()
    response = api_as("admin").patch(
        f"{URL}/{found.pk}", {"version": 7, "resolution_minutes": 4800},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 409
    found.refresh_from_db()
    assert (found.resolution_minutes, found.version) == (2400, 1)


def test_an_update_making_the_targets_inconsistent_changes_nothing(api_as, make_policy):
    found = make_policy()
    response = api_as("admin").patch(
        f"{URL}/{found.pk}", {"version": 1, "resolution_minutes": 60},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert _fields(response) == {"first_response_minutes"}
    found.refresh_from_db()
    assert found.resolution_minutes == 2400
