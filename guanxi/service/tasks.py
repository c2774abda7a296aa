"""The service desk's background work (django-tasks)."""

import dataclasses

from django_tasks import task

from guanxi.service.sweep import cases_sweep


@task()
def sweep_cases() -> dict:
    """Warn cases near their deadline and escalate breached ones (run every few minutes)."""
    return dataclasses.asdict(cases_sweep())
