"""The current run's id, remembered briefly per process and forgotten when a run changes."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.insights.current_run import current_run_id
from guanxi.insights.models import AnalysisRun, RunStatus, RunTrigger


def finished_run() -> AnalysisRun:
    return AnalysisRun.objects.create(
        status=RunStatus.FINISHED, trigger=RunTrigger.COMMAND, finished_at=timezone.now()
    )


def test_the_current_run_is_read_once_and_then_remembered(db):
    run = finished_run()
    with CaptureQueriesContext(connection) as queries:
        assert current_run_id() == run.pk
        assert current_run_id() == run.pk
    assert len(queries) == 1


def test_a_run_finishing_in_this_process_is_current_at_once(db):
    first = finished_run()
    assert current_run_id() == first.pk
    second = finished_run()
    assert current_run_id() == second.pk


def test_with_no_time_to_remember_every_call_asks_the_database(db, settings):
    settings.GUANXI_CURRENT_RUN_SECONDS = 0
    finished_run()
    with CaptureQueriesContext(connection) as queries:
        current_run_id()
        current_run_id()
    assert len(queries) == 2
