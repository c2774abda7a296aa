"""In-app notifications through the API: one's own only."""

from guanxi import policy
from guanxi.activities import services as activity_services
from guanxi.activities.inputs import ActivityFields
from guanxi.core.events.dispatch import dispatch_pending
from guanxi.scheduling.models import Notification
from guanxi.scheduling.tests.conftest import CONTEXT

N = "/api/v1/calendar/notifications"


def test_an_invited_participant_finds_the_invitation_in_the_app(api_as, mine, staff, schedule):
    schedule(mine, participant_ids=[staff["team_lead"].pk])
    [note] = api_as("team_lead").get(N).json()
    assert note["kind"] == "invited" and "季度面谈" in note["text"] and note["read_at"] is None


def test_a_notification_is_marked_read(api_as, staff):
    note = Notification.objects.create(user=staff["team_lead"], kind="invited", text="邀请")
    response = api_as("team_lead").post(f"{N}/{note.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"]


def test_another_users_notification_reads_as_missing_and_stays_unread(api_as, staff):
    note = Notification.objects.create(user=staff["team_lead"], kind="invited", text="邀请")
    response = api_as("admin").post(f"{N}/{note.pk}/read")
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_a_participant_added_later_is_invited_once(mine, staff, schedule):
    meeting = schedule(mine, participant_ids=[staff["team_lead"].pk])
    activity_services.activity_update(
        viewer=policy.Viewer.of(staff["account_manager"]),
        activity_id=meeting.pk,
        fields=ActivityFields(participant_ids=[staff["team_lead"].pk, staff["other_manager"].pk]),
        expected_version=meeting.version,
        context=CONTEXT,
    )
    dispatch_pending()
    invited = Notification.objects.filter(activity=meeting, kind="invited")
    assert sorted(invited.values_list("user_id", flat=True)) == sorted(
        [staff["team_lead"].pk, staff["other_manager"].pk]
    )
