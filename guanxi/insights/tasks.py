"""Background analysis runs (django-tasks), worked off by ``guanxi db_worker``.

The nightly run keeps itself going: each one, when done, queues the next for the
configured hour (``guanxi schedule-nightly`` queues the first). A backend that cannot defer
(the immediate backend of tests) simply runs the one it was given.
"""

import datetime as dt

from django.utils import timezone
from django_tasks import TaskResultStatus, task

from guanxi.insights.config import write_back_config
from guanxi.insights.models import AnalysisRun, RunStatus, RunTrigger
from guanxi.insights.services import run_analysis


@task()
def run_queued_analysis(run_id: int) -> str:
    """Carry out a run queued from the dashboard, the API or ``guanxi analyze --enqueue``."""
    run = AnalysisRun.objects.get(pk=run_id)
    if run.status != RunStatus.QUEUED:  # a retried or duplicated task: the run is done
        return run.status
    return run_analysis(run=run).status


def next_nightly_time(now: dt.datetime | None = None) -> dt.datetime:
    """The next local time at the nightly hour, strictly after ``now``."""
    now = timezone.localtime(now)
    at = now.replace(hour=write_back_config().nightly_hour, minute=0, second=0, microsecond=0)
    return at if at > now else at + dt.timedelta(days=1)


def schedule_nightly() -> bool:
    """Queue the next nightly run unless one is already waiting; returns whether it queued.

    Only the database backend can hold a task until a later time; its pending tasks are
    where an already scheduled nightly run would be found.
    """
    from django_tasks_db.models import DBTaskResult  # the backend's own queue table

    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=run_nightly_analysis.module_path
    )
    if waiting.exists():
        return False
    run_nightly_analysis.using(run_after=next_nightly_time()).enqueue()
    return True


@task()
def run_nightly_analysis() -> str:
    """The nightly run over the whole store; then queue tomorrow's."""
    run = run_analysis(trigger=RunTrigger.NIGHTLY)
    if run_nightly_analysis.get_backend().supports_defer:
        schedule_nightly()
    return run.status
