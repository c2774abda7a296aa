"""Background runs: the task runs a queued run, the nightly schedule queues itself once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from guanxi.insights import services
from guanxi.insights.models import AnalysisRun, RunStatus, RunTrigger
from guanxi.insights.tasks import next_nightly_time, run_nightly_analysis, schedule_nightly

from .conftest import DUMMY, IMMEDIATE

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db(transaction=True)
def test_a_queued_run_is_carried_out_by_the_task(demo_store, settings):
    settings.TASKS = IMMEDIATE

    run = services.queue_run(trigger=RunTrigger.COMMAND)

    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED, run.error


@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_runs_the_analysis(demo_store, settings):
    settings.TASKS = IMMEDIATE

    result = run_nightly_analysis.enqueue()

    assert result.return_value == RunStatus.FINISHED
    assert AnalysisRun.objects.get().trigger == RunTrigger.NIGHTLY


def test_the_next_nightly_time_is_at_the_configured_hour(settings):
    settings.GUANXI_INSIGHTS = {"nightly_hour": 3}
    evening = datetime(2026, 11, 23, 22, 0, tzinfo=SHANGHAI)
    small_hours = datetime(2026, 11, 23, 1, 0, tzinfo=SHANGHAI)

    assert next_nightly_time(evening) == datetime(2026, 11, 24, 3, 0, tzinfo=SHANGHAI)
    assert next_nightly_time(small_hours) == datetime(2026, 11, 23, 3, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_scheduling_the_nightly_run_queues_it_once():
    assert schedule_nightly()
    assert not schedule_nightly()

    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.task_path == run_nightly_analysis.module_path
    assert waiting.run_after.astimezone(SHANGHAI).hour == 2


@pytest.mark.django_db
def test_the_schedule_command_says_what_it_did(capsys):
    call_command("schedule_nightly")
    call_command("schedule_nightly")

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(("Nightly analysis queued", "夜间分析已排队"))
    assert len(out) == 2 and out[1] != out[0]


@pytest.mark.django_db(transaction=True)
def test_the_analyze_command_runs_on_the_store(demo_store, capsys):
    call_command("analyze", verbosity=1)

    assert AnalysisRun.objects.get().status == RunStatus.FINISHED
    assert "#" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_analyze_command_can_queue_instead(settings):
    settings.TASKS = DUMMY

    call_command("analyze", enqueue=True, verbosity=0)

    run = AnalysisRun.objects.get()
    assert run.status == RunStatus.QUEUED and run.trigger == RunTrigger.COMMAND


@pytest.mark.django_db(transaction=True)
def test_the_analyze_command_fails_loudly_on_an_empty_store():
    with pytest.raises(Exception, match="empty"):
        call_command("analyze", verbosity=0)
