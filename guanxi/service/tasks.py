"""The service desk's background work (django-tasks)."""

import dataclasses

from django_tasks import task

from guanxi.service.sweep import cases_sweep


@task()
def sweep_cases() -> dict:
    """Warn cases near their deadline and escalate breached ones (run every few minutes)."""
    return dataclasses.asdict(cases_sweep())


@task()
def schedule_follow_ups() -> dict:
    """Schedule the follow-up visits due by the rules (run daily; idempotent)."""
    from guanxi.service.follow_ups import follow_ups_generate

    return dataclasses.asdict(follow_ups_generate())


@task()
def invite_periodic_surveys() -> dict:
    """Invite the customers due for the scheduled periodic surveys (run daily; idempotent)."""
    from guanxi.service.survey_schedule import surveys_invite_due

    return dataclasses.asdict(surveys_invite_due())
