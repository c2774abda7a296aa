"""``guanxi demo``: migrate, load, one login per role, then gunicorn."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from guanxi import policy
from guanxi.customers.models import Customer
from guanxi.demo.accounts import DEMO_PASSWORD
from guanxi.demo.management.commands import demo as demo_command
from guanxi.org.models import Profile
from guanxi.org.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def first_run(django_db_setup, django_db_blocker, tmp_path_factory) -> str:
    """``guanxi demo --no-serve`` on an empty database; yields what it printed."""
    out = StringIO()
    fast = override_settings(
        STATIC_ROOT=tmp_path_factory.mktemp("static"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), fast:
        call_command("demo", customers=200, months=3, no_serve=True, verbosity=0, stdout=out)
        yield out.getvalue()
        call_command("flush", interactive=False, verbosity=0)


def test_loads_demo_data_into_an_empty_database(first_run):
    assert Customer.objects.count() == 200


def test_creates_one_user_per_role_with_the_demo_password(first_run):
    for role in Role:
        user = get_user_model().objects.get(username=role.value)
        assert user.profile.roles == [role.value]
        assert user.check_password(DEMO_PASSWORD)
        assert role.value in first_run
    assert DEMO_PASSWORD in first_run


def test_demo_managers_sit_where_the_customers_are(first_run):
    manager = get_user_model().objects.get(username=Role.ACCOUNT_MANAGER.value)
    branch_manager = get_user_model().objects.get(username=Role.BRANCH_MANAGER.value)
    assert Customer.objects.filter(owner=manager).exists()
    assert manager.profile.branch == branch_manager.profile.branch
    assert Customer.objects.filter(branch=branch_manager.profile.branch).exists()


def test_a_second_run_keeps_the_data_and_the_logins(first_run, tmp_path):
    out = StringIO()
    with override_settings(STATIC_ROOT=tmp_path):
        call_command("demo", no_serve=True, verbosity=0, stdout=out)
    assert Customer.objects.count() == 200
    assert get_user_model().objects.filter(username__in=Role.values).count() == len(Role)


def test_serving_supervises_the_worker_and_gunicorn_on_the_port(first_run, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(demo_command, "supervise", lambda commands: calls.append(commands) or 0)
    with override_settings(STATIC_ROOT=tmp_path):
        call_command("demo", port=8123, verbosity=0, stdout=StringIO())
    ((worker, server),) = calls
    assert worker[1:] == ["-m", "guanxi.cli", "db_worker"]
    assert server[1:4] == ["-m", "gunicorn", "guanxi.wsgi:application"]
    assert "127.0.0.1:8123" in server


def test_a_server_that_exits_with_an_error_fails_the_demo(first_run, tmp_path, monkeypatch):
    monkeypatch.setattr(demo_command, "supervise", lambda commands: 3)
    with override_settings(STATIC_ROOT=tmp_path), pytest.raises(CommandError, match="3"):
        call_command("demo", port=8123, verbosity=0, stdout=StringIO())


def test_analyses_the_demo_customers_and_schedules_the_nightly_run(first_run):
    from django_tasks_db.models import DBTaskResult

    from guanxi.insights.models import AnalysisRun, CustomerScore, RunStatus

    run = AnalysisRun.objects.get()
    assert run.status == RunStatus.FINISHED, run.error
    assert CustomerScore.objects.filter(run=run).count() == 200
    assert DBTaskResult.objects.filter(task_path__endswith="run_nightly_analysis").count() == 1


def test_the_demo_team_lead_sees_the_customers_of_their_team(first_run):
    lead = policy.Viewer.of(get_user_model().objects.get(username=Role.TEAM_LEAD.value))
    manager = get_user_model().objects.get(username=Role.ACCOUNT_MANAGER.value)
    visible = policy.customer_scope(lead, Customer.objects.all())
    owners = set(visible.values_list("owner_id", flat=True))
    assert manager.pk in owners
    assert owners <= lead.teammate_ids
    assert visible.count() < Customer.objects.count()


def test_every_team_with_account_managers_has_a_lead(first_run):
    members = list(Profile.objects.exclude(team=None))
    led = {p.team_id for p in members if Role.TEAM_LEAD in p.roles}
    staffed = {p.team_id for p in members if Role.ACCOUNT_MANAGER in p.roles}
    assert led and staffed <= led
