"""Two people changing one activity at once: one wins, the other gets a version conflict."""

import threading

import pytest
from django.db import connection

from guanxi import policy
from guanxi.activities import services
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import Activity
from guanxi.audit.services import RequestContext
from guanxi.concurrency import VersionConflict


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_editors_of_an_activity_cannot_both_win(staff, mine, log):
    activity = log(mine, kind="task", subject="准备方案")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(role: str, outcome: str) -> None:
        barrier.wait()
        try:
            services.activity_update(
                viewer=policy.Viewer.of(staff[role]),
                activity_id=activity.pk,
                fields=ActivityFields(outcome=outcome),
                expected_version=1,
                context=RequestContext(),
            )
            outcomes.append("saved " + outcome)
        except VersionConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=args)
        for args in (("account_manager", "甲"), ("team_lead", "乙"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split()[0] for o in outcomes) == ["conflict", "saved"]
    stored = Activity.objects.get(pk=activity.pk)
    assert stored.version == 2 and "saved " + stored.outcome in outcomes
