"""Periodic surveys on their schedule: who the daily run invites, how many, and how often;
the schedule as administrators set it through the API; and the command that runs it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from guanxi.audit.models import AuditEntry
from guanxi.customers.models import Customer
from guanxi.scheduling.tests.conftest import smtp  # noqa: F401  (the real SMTP server)
from guanxi.service.survey_models import SurveyInvitation
from guanxi.service.survey_schedule import surveys_invite_due
from guanxi.service.tests.test_surveys import make_template


@pytest.fixture
def quarterly(admin_viewer):
    return make_template(admin_viewer, kind="periodic", name="季度满意度", every_days=90)


def served(make_customer, name: str, status: str = "repeat", **fields) -> Customer:
    customer = make_customer(name, **fields)
    Customer.objects.filter(pk=customer.pk).update(status=status)
    return customer


def run(capture) -> dict[str, int]:
    with capture(execute=True):
        return surveys_invite_due().invited


def test_the_run_invites_each_served_customer_and_mails_them_the_link(
    quarterly,
    make_customer,
    django_capture_on_commit_callbacks,
    smtp,  # noqa: F811
):
    wang = served(make_customer, "王芳", email="wangfang@example.com")
    assert run(django_capture_on_commit_callbacks) == {"季度满意度": 1}
    invitation = SurveyInvitation.objects.get()
    assert (invitation.customer_id, invitation.template_id) == (wang.pk, quarterly.pk)
    [message] = smtp.messages
    assert str(message["To"]) == "wangfang@example.com"
    assert "/service/survey/" in message.get_content()
    assert AuditEntry.objects.filter(object_type="survey_invitation", object_id=str(invitation.pk))


def test_running_twice_invites_nobody_twice(
    quarterly, make_customer, django_capture_on_commit_callbacks
):
    served(make_customer, "王芳")
    run(django_capture_on_commit_callbacks)
    assert run(django_capture_on_commit_callbacks) == {}
    assert SurveyInvitation.objects.count() == 1


def test_a_customer_invited_longer_ago_than_the_schedule_is_invited_again(
    quarterly, make_customer, django_capture_on_commit_callbacks
):
    served(make_customer, "王芳")
    run(django_capture_on_commit_callbacks)
    SurveyInvitation.objects.update(sent_at=timezone.now() - timedelta(days=91))
    assert run(django_capture_on_commit_callbacks) == {"季度满意度": 1}
    assert SurveyInvitation.objects.count() == 2


def test_the_daily_limit_takes_the_lowest_ids_first_and_the_next_ones_the_next_day(
    admin_viewer, make_customer, django_capture_on_commit_callbacks
):
    make_template(admin_viewer, kind="periodic", every_days=30, daily_limit=2)
    ids = [served(make_customer, f"客户{n}").pk for n in range(3)]
    run(django_capture_on_commit_callbacks)
    assert sorted(SurveyInvitation.objects.values_list("customer_id", flat=True)) == ids[:2]
    run(django_capture_on_commit_callbacks)
    assert sorted(SurveyInvitation.objects.values_list("customer_id", flat=True)) == ids


@pytest.mark.parametrize(
    ("status", "email"),
    [("prospect", "a@example.com"), ("lost", "a@example.com"), ("repeat", "")],
)
def test_a_customer_never_served_lost_or_without_an_address_is_not_invited(
    quarterly, make_customer, django_capture_on_commit_callbacks, status, email
):
    served(make_customer, "王芳", status=status, email=email)
    assert run(django_capture_on_commit_callbacks) == {}
    assert not SurveyInvitation.objects.exists()


def test_a_periodic_survey_without_a_schedule_invites_nobody(
    admin_viewer, make_customer, django_capture_on_commit_callbacks
):
    make_template(admin_viewer, kind="periodic")
    served(make_customer, "王芳")
    assert run(django_capture_on_commit_callbacks) == {}


def test_an_after_case_survey_on_a_schedule_is_refused_naming_every_days(admin_viewer):
    with pytest.raises(ValidationError) as refused:
        make_template(admin_viewer, kind="after_case", every_days=90)
    assert set(refused.value.message_dict) == {"every_days"}


def test_an_administrator_schedules_a_survey_through_the_api(api_as, admin_viewer):
    survey = make_template(admin_viewer, kind="periodic")
    answer = api_as("admin").patch(
        f"/api/v1/surveys/{survey.pk}",
        {"every_days": 180, "daily_limit": 50, "version": survey.version},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert (answer.json()["every_days"], answer.json()["daily_limit"]) == (180, 50)


def test_a_schedule_shorter_than_a_week_is_refused_and_changes_nothing(api_as, admin_viewer):
    survey = make_template(admin_viewer, kind="periodic")
    answer = api_as("admin").patch(
        f"/api/v1/surveys/{survey.pk}",
        {"every_days": 3, "version": survey.version},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["detail"]] == ["every_days"]
    survey.refresh_from_db()
    assert survey.every_days is None


def test_the_command_says_how_many_each_survey_invited(quarterly, make_customer, capsys):
    served(make_customer, "王芳")
    with translation.override("en"):
        call_command("invite_surveys")
    assert capsys.readouterr().out == "季度满意度: 1 customers invited.\n"
