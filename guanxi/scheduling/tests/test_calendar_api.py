"""The calendar API: whose calendar, what an entry shows, ranges; and busy times."""

from datetime import timedelta

import pytest

from guanxi import policy
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.services import activity_log
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import RequestContext
from guanxi.leads.inputs import LeadFields
from guanxi.leads.services import lead_create
from guanxi.scheduling.tests.conftest import at

CONTEXT = RequestContext(channel="test")

C = "/api/v1/calendar"
B = "/api/v1/calendar/busy"


def week(**extra) -> dict:
    return {"start": at(0, 0).isoformat(), "end": at(7, 0).isoformat(), **extra}


def test_the_calendar_shows_the_viewers_own_meetings(api_as, mine, schedule):
    meeting = schedule(mine)
    response = api_as("account_manager").get(C, week())
    assert response.status_code == 200, response.content
    [entry] = response.json()
    assert entry["id"] == meeting.pk and entry["subject"] == "季度面谈"
    assert entry["customer_name"] == "王客户" and not entry["private"]


def test_the_calendar_read_is_audited(api_as, mine, schedule):
    schedule(mine)
    api_as("account_manager").get(C, week())
    assert AuditEntry.objects.filter(action="read", channel="api", fields=["activities"]).exists()


def test_a_participant_who_may_not_see_the_customer_sees_the_meeting_as_busy(
    api_as, mine, staff, schedule
):
    schedule(mine, participant_ids=[staff["south_manager"].pk])
    response = api_as("south_manager").get(C, week())
    [entry] = response.json()
    assert entry["private"] and entry["subject"] == "" and entry["customer_id"] is None
    assert "王客户" not in response.content.decode()
    assert "季度面谈" not in response.content.decode()


def test_a_team_lead_reads_a_team_members_calendar(api_as, mine, staff, schedule):
    schedule(mine)
    response = api_as("team_lead").get(C, week(user=staff["account_manager"].pk))
    assert response.status_code == 200
    assert [e["subject"] for e in response.json()] == ["季度面谈"]


def test_a_team_lead_reads_the_team_calendar(api_as, mine, staff, schedule):
    schedule(mine)
    response = api_as("team_lead").get(C, week(team=True))
    assert [e["subject"] for e in response.json()] == ["季度面谈"]


def test_an_account_manager_cannot_read_a_colleagues_calendar(api_as, staff):
    response = api_as("account_manager").get(C, week(user=staff["other_manager"].pk))
    assert response.status_code == 404


def test_an_open_task_shows_on_its_due_date(api_as, mine, staff):
    client = api_as("account_manager")
    client.post("/api/v1/activities", {"kind": "task", "customer_id": mine.pk,
                "subject": "准备方案", "due_on": at(2).date().isoformat()},
                content_type="application/json")  # fmt: skip
    [entry] = client.get(C, week()).json()
    assert entry["all_day"] and entry["subject"] == "准备方案"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": at(3).isoformat(), "end": at(1).isoformat()}, "end"),
        ({"start": at(0).isoformat(), "end": at(100).isoformat()}, "end"),
        ({"start": "yesterday", "end": at(1).isoformat()}, "start"),
        ({"end": at(1).isoformat()}, "start"),
    ],
)
def test_a_bad_range_is_refused_naming_the_field(api_as, params, field):
    response = api_as("account_manager").get(C, params)
    assert response.status_code == 422
    assert field in {d["field"] for d in response.json()["detail"]}


def test_busy_times_show_only_intervals(api_as, mine, staff, schedule):
    schedule(mine, role="team_lead", subject="机密面谈")
    response = api_as("other_manager").get(B, week(user_ids=str(staff["team_lead"].pk)))
    assert response.status_code == 200, response.content
    [person] = response.json()
    assert person["user_id"] == staff["team_lead"].pk
    assert len(person["busy"]) == 1
    text = response.content.decode()
    assert "机密面谈" not in text and "王客户" not in text


def test_busy_times_merge_overlapping_bookings(api_as, mine, staff, schedule):
    schedule(mine, starts_at=at(hour=9), ends_at=at(hour=10, minute=30))
    schedule(mine, starts_at=at(hour=10), ends_at=at(hour=11), override=True)
    response = api_as("team_lead").get(B, week(user_ids=str(staff["account_manager"].pk)))
    [person] = response.json()
    [slot] = person["busy"]
    assert slot["ends_at"].startswith((at(hour=11) - timedelta(0)).date().isoformat())


def test_busy_times_of_another_branchs_colleague_are_refused_by_user_ids(api_as, staff):
    response = api_as("account_manager").get(B, week(user_ids=str(staff["south_manager"].pk)))
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["detail"]} == {"user_ids"}


@pytest.mark.parametrize("ids", ["", "abc", "1,,x", "0", ",".join(["5"] * 60)])
def test_malformed_user_ids_are_refused_by_name(api_as, ids):
    response = api_as("account_manager").get(B, week(user_ids=ids))
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["detail"]} == {"user_ids"}


def test_a_meeting_about_a_lead_names_the_lead_to_its_owner_and_is_busy_to_others(
    api_as, staff, org
):
    owner = policy.Viewer.of(staff["account_manager"])
    prospect = lead_create(
        viewer=owner, context=CONTEXT,
        fields=LeadFields(name="钱先生", source="walk_in", branch_id=org["north"].pk),
    )  # fmt: skip
    activity_log(
        viewer=owner, context=CONTEXT,
        fields=ActivityFields(
            kind="meeting", lead_id=prospect.pk, subject="初次面谈", status="open",
            starts_at=at(1), ends_at=at(1, 11), participant_ids=[staff["south_manager"].pk],
        ),
    )  # fmt: skip
    [entry] = api_as("account_manager").get(C, week()).json()
    assert entry["lead_name"] == "钱先生" and entry["customer_id"] is None
    assert entry["lead_id"] == prospect.pk and not entry["private"]
    [busy] = api_as("south_manager").get(C, week()).json()
    assert busy["private"] and busy["lead_id"] is None and busy["lead_name"] == ""
