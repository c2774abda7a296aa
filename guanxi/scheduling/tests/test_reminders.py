"""Reminders: kept in step with their activity, sent once when due, in the app and by a
real e-mail to a local SMTP server."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi import policy
from guanxi.activities import services as activity_services
from guanxi.activities.inputs import ActivityFields
from guanxi.core.events.dispatch import dispatch_pending
from guanxi.scheduling.models import Notification, Reminder
from guanxi.scheduling.reminders import reminders_send_due
from guanxi.scheduling.tests.conftest import CONTEXT, at


def test_a_due_reminder_arrives_by_email_and_in_the_app(mine, staff, schedule, smtp, emails):
    schedule(mine)
    report = reminders_send_due(now=at() - timedelta(minutes=10))
    assert report.sent == 1
    assert smtp.to() == ["am@bank.example"]
    assert "季度面谈" in smtp.messages[0].get_content()
    assert Notification.objects.filter(user=staff["account_manager"], kind="reminder").exists()


def test_a_reminder_goes_once(mine, schedule, smtp, emails):
    schedule(mine)
    reminders_send_due(now=at() - timedelta(minutes=10))
    again = reminders_send_due(now=at() - timedelta(minutes=5))
    assert again.sent == 0 and len(smtp.messages) == 1


def test_a_reminder_is_not_sent_before_its_time(mine, schedule, smtp, emails):
    schedule(mine)
    assert reminders_send_due(now=at() - timedelta(minutes=16)).sent == 0
    assert smtp.messages == []


def test_the_default_is_fifteen_minutes_before(mine, schedule):
    meeting = schedule(mine)
    assert Reminder.objects.get(activity=meeting).remind_at == at() - timedelta(minutes=15)


def test_the_sender_reads_only_due_unsent_rows_by_the_index(mine, schedule):
    schedule(mine)
    with CaptureQueriesContext(connection) as queries:
        reminders_send_due(now=at() - timedelta(days=5))
    [select] = [q["sql"] for q in queries if "scheduling_reminder" in q["sql"]]
    assert '"sent_at" IS NULL' in select and '"remind_at" <=' in select


def test_a_failed_email_leaves_the_reminder_for_the_next_run(mine, schedule, emails, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    schedule(mine)
    report = reminders_send_due(now=at())
    assert report.failed == 1
    assert Reminder.objects.get().sent_at is None
    assert not Notification.objects.filter(kind="reminder").exists()


def test_a_rescheduled_meeting_is_reminded_at_its_new_time(mine, staff, schedule):
    meeting = schedule(mine)
    activity_services.task_reschedule(
        viewer=policy.Viewer.of(staff["account_manager"]),
        activity_id=meeting.pk,
        expected_version=meeting.version,
        starts_at=at(2),
        context=CONTEXT,
    )
    dispatch_pending()
    assert Reminder.objects.get(activity=meeting).remind_at == at(2) - timedelta(minutes=15)


def test_a_cancelled_meeting_is_not_reminded(mine, staff, schedule, smtp, emails):
    meeting = schedule(mine)
    activity_services.activity_update(
        viewer=policy.Viewer.of(staff["account_manager"]),
        activity_id=meeting.pk,
        fields=ActivityFields(status="cancelled"),
        expected_version=meeting.version,
        context=CONTEXT,
    )
    dispatch_pending()
    assert not Reminder.objects.exists()
    assert reminders_send_due(now=at()).sent == 0


def test_an_open_task_is_reminded_the_morning_after_its_due_date(mine, staff, smtp, emails):
    task = activity_services.activity_log(
        viewer=policy.Viewer.of(staff["account_manager"]),
        fields=ActivityFields(
            kind="task", customer_id=mine.pk, subject="准备方案", due_on=at(0).date()
        ),  # fmt: skip
        context=CONTEXT,
    )
    dispatch_pending()
    reminder = Reminder.objects.get(activity=task)
    assert reminder.kind == "overdue" and reminder.remind_at == at(1, 9)
    assert reminders_send_due(now=at(1, 9)).sent == 1
    assert "准备方案" in smtp.messages[0].get_content()


def test_the_command_sends_due_reminders(mine, schedule, smtp, emails):
    soon = timezone.now() + timedelta(minutes=10)
    schedule(mine, starts_at=soon, ends_at=soon + timedelta(hours=1))
    call_command("send_reminders", stdout=StringIO())
    assert len(smtp.messages) == 1


def test_a_participant_added_later_is_reminded_as_the_others_are(mine, staff, schedule):
    meeting = schedule(mine, remind=45)
    activity_services.activity_update(
        viewer=policy.Viewer.of(staff["account_manager"]),
        activity_id=meeting.pk,
        fields=ActivityFields(participant_ids=[staff["team_lead"].pk]),
        expected_version=meeting.version,
        context=CONTEXT,
    )
    dispatch_pending()
    added = Reminder.objects.get(activity=meeting, user=staff["team_lead"])
    assert added.remind_at == at() - timedelta(minutes=45)
