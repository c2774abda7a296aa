"""Scheduling a meeting: double bookings refused naming starts_at unless overridden (audited),
participants notified in the app and by e-mail."""

from datetime import timedelta

from guanxi.activities.models import Activity
from guanxi.audit.models import AuditEntry
from guanxi.scheduling.models import Notification, Reminder
from guanxi.scheduling.tests.conftest import at

M = "/api/v1/calendar/meetings"


def post(client, body):
    return client.post(M, body, content_type="application/json")


def meeting(customer, **fields):
    return {"kind": "meeting", "customer_id": customer.pk, "subject": "方案讨论",
            "starts_at": at(hour=10, minute=30).isoformat(),
            "ends_at": at(hour=11, minute=30).isoformat(), **fields}  # fmt: skip


def test_a_meeting_is_scheduled_open_with_its_participants(api_as, mine, staff):
    lead = staff["team_lead"].pk
    response = post(api_as("account_manager"), meeting(mine, participant_ids=[lead]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "open" and body["participant_ids"] == [lead]


def test_a_meeting_overlapping_a_participants_meeting_is_refused_naming_starts_at(
    api_as, mine, staff, schedule
):
    schedule(mine, role="team_lead", subject="组内会议")
    before = Activity.objects.count()
    response = post(
        api_as("account_manager"), meeting(mine, participant_ids=[staff["team_lead"].pk])
    )
    assert response.status_code == 409, response.content
    body = response.json()
    assert {d["field"] for d in body["detail"]} == {"starts_at"}
    assert body["conflicts"][0]["user_id"] == staff["team_lead"].pk
    assert "组内会议" not in response.content.decode()
    assert Activity.objects.count() == before
    assert not Notification.objects.exists()


def test_a_meeting_overlapping_the_owners_own_meeting_is_refused(api_as, mine, schedule):
    schedule(mine)
    response = post(api_as("account_manager"), meeting(mine))
    assert response.status_code == 409


def test_a_meeting_right_after_another_is_no_conflict(api_as, mine, schedule):
    schedule(mine, starts_at=at(hour=9), ends_at=at(hour=10, minute=30))
    response = post(api_as("account_manager"), meeting(mine))
    assert response.status_code == 201


def test_a_done_or_cancelled_meeting_is_no_conflict(api_as, mine, schedule):
    first = schedule(mine)
    Activity.objects.filter(pk=first.pk).update(status="cancelled")
    assert post(api_as("account_manager"), meeting(mine)).status_code == 201


def test_an_explicit_override_books_it_and_is_audited(api_as, mine, schedule):
    first = schedule(mine)
    response = post(api_as("account_manager"), meeting(mine, override_conflicts=True))
    assert response.status_code == 201
    entry = AuditEntry.objects.get(
        object_type="activity", object_id=str(response.json()["id"]), fields=["override_conflicts"]
    )
    assert entry.changes["override_conflicts"][1][0]["user_id"] == first.owner_id


def test_a_meeting_that_ends_before_it_starts_is_refused_naming_ends_at(api_as, mine):
    response = post(
        api_as("account_manager"),
        meeting(mine, starts_at=at(hour=11).isoformat(), ends_at=at(hour=10).isoformat()),
    )
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["detail"]} == {"ends_at"}
    assert not Activity.objects.exists()


def test_a_task_cannot_be_scheduled_as_a_meeting(api_as, mine):
    response = post(api_as("account_manager"), meeting(mine, kind="task"))
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["detail"]} == {"kind"}


def test_a_reminder_minutes_out_of_range_is_refused_by_name(api_as, mine):
    response = post(api_as("account_manager"), meeting(mine, remind_minutes=-5))
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["detail"]} == {"remind_minutes"}
    assert not Activity.objects.exists()


def test_a_meeting_about_a_customer_out_of_scope_is_refused_by_customer_id(api_as, theirs):
    response = post(api_as("account_manager"), meeting(theirs))
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["detail"]} == {"customer_id"}
    assert not Activity.objects.exists()


def test_participants_are_notified_in_the_app_and_by_email(
    mine, staff, schedule, smtp, emails, django_capture_on_commit_callbacks
):
    lead, other = staff["team_lead"], staff["other_manager"]
    with django_capture_on_commit_callbacks(execute=True):
        schedule(mine, participant_ids=[lead.pk, other.pk])
    assert Notification.objects.filter(user=lead, kind="invited").exists()
    assert not Notification.objects.filter(user=staff["account_manager"]).exists()
    assert sorted(smtp.to()) == ["am2@bank.example", "lead@bank.example"]


def test_a_participant_who_may_not_see_the_customer_is_told_only_who_and_when(
    mine, staff, schedule
):
    south = staff["south_manager"]
    schedule(mine, participant_ids=[south.pk])
    text = Notification.objects.get(user=south).text
    assert "王客户" not in text and "季度面谈" not in text
    assert "李经理" in text


def test_scheduling_sets_reminders_for_owner_and_participants(mine, staff, schedule):
    activity = schedule(mine, participant_ids=[staff["team_lead"].pk], remind=30)
    reminders = Reminder.objects.filter(activity=activity)
    assert {r.user_id for r in reminders} == {staff["account_manager"].pk, staff["team_lead"].pk}
    assert all(r.remind_at == at() - timedelta(minutes=30) for r in reminders)
