"""The background dispatch task (django-tasks), queued when an event commits.

At most one dispatch task waits in the database queue at a time: an event committed while
one waits is seen by it, since a waiting task has not yet begun reading the outbox. A pass
that leaves retries for later queues itself again for the earliest of them.
"""

import dataclasses
import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from guanxi.core.events.dispatch import dispatch_pending


@task()
def dispatch_events() -> dict:
    """Work off the pending events; queue the next pass if retries are due later."""
    report = dispatch_pending()
    if report.retry_at is not None and dispatch_events.get_backend().supports_defer:
        queue_dispatch(at=report.retry_at)
    return {k: v for k, v in dataclasses.asdict(report).items() if k not in ("retry_at", "blocked")}


def queue_dispatch(*, at: dt.datetime | None = None) -> bool:
    """Queue a dispatch pass (now, or at ``at``) unless one that runs no later is waiting;
    returns whether it queued one."""
    from django_tasks_db.backend import DatabaseBackend  # only that queue can be searched
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = dispatch_events.get_backend()
    if isinstance(backend, DatabaseBackend):
        soon_enough = Q(run_after__lte=at or timezone.now()) | Q(run_after=get_date_max())
        waiting = DBTaskResult.objects.filter(
            soon_enough, status=TaskResultStatus.READY, task_path=dispatch_events.module_path
        )
        if waiting.exists():
            return False
    (dispatch_events.using(run_after=at) if at else dispatch_events).enqueue()
    return True
