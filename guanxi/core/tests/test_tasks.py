"""The dispatch task: queued once when events commit, and again for the next retry."""

import pytest
from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from guanxi.core.events import publish
from guanxi.core.events.models import HandlerReceipt
from guanxi.core.events.tasks import dispatch_events
from guanxi.core.tests.conftest import Pinged, traces
from guanxi.customers.models import Tag


def waiting_dispatches():
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=dispatch_events.module_path
    )


@pytest.mark.django_db(transaction=True)
def test_committed_events_queue_one_dispatch_task_that_hands_them_out(handlers):
    handlers("counter")
    tag = Tag.objects.create(name="vip")
    ids = []
    for n in (1, 2):
        with transaction.atomic():
            ids.append(publish(Pinged(n=n), actor=None, record=tag).pk)
    assert waiting_dispatches().count() == 1  # the second event found one waiting
    dispatch_events.call()
    assert traces("counter") == ids


def test_a_pass_that_leaves_a_retry_queues_itself_for_then(thing, handlers, settings):
    settings.GUANXI_EVENTS = {"retry_seconds": 60, "queue_dispatch": False}
    handlers("flaky", fail_times=1)
    with transaction.atomic():
        publish(Pinged(n=1), actor=None, record=thing)
    result = dispatch_events.call()
    assert result["failed"] == 1
    assert waiting_dispatches().get().run_after == HandlerReceipt.objects.get().retry_at
