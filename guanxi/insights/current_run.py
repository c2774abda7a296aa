"""Which analysis run is current, remembered for a few seconds per process.

Every customer list page shows and filters by the current run's scores, so asking the
database each time cost every list request a query of its own, while the answer changes
once a night. A process keeps it for ``GUANXI_CURRENT_RUN_SECONDS`` (default 5; 0: never).
A run that finishes or is deleted in this process is seen at once; in another process
within that many seconds, during which its lists still show the run before.
"""

from threading import Lock
from time import monotonic

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from guanxi.insights.models import AnalysisRun

_remembered: list[tuple[float, int | None]] = []
_lock = Lock()


def current_run_id() -> int | None:
    """The newest finished run's id (see the module note on how fresh)."""
    now = monotonic()
    with _lock:
        if _remembered and _remembered[0][0] > now:
            return _remembered[0][1]
    run_id = AnalysisRun.objects.latest_finished_id()
    ttl = float(getattr(settings, "GUANXI_CURRENT_RUN_SECONDS", 5))
    if ttl > 0:
        with _lock:
            _remembered[:] = [(now + ttl, run_id)]
    return run_id


def forget_current_run(**kwargs) -> None:
    """Drop the remembered run (connected to changes of runs; tests call it too)."""
    with _lock:
        _remembered.clear()


def connect_signals() -> None:
    """Forget the remembered run whenever a run is saved or deleted in this process."""
    post_save.connect(forget_current_run, sender=AnalysisRun, dispatch_uid="forget-current-run")
    post_delete.connect(forget_current_run, sender=AnalysisRun, dispatch_uid="forget-run-d")
