"""Dispatching: in order, at least once, and each handler acts once per event."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import translation

from guanxi.core.events import publish
from guanxi.core.events.dispatch import dispatch_pending, retry_given_up
from guanxi.core.events.models import EventRecord, HandlerReceipt, ReceiptStatus
from guanxi.core.tests.conftest import Pinged, Ponged, leave_trace, traces

pytestmark = pytest.mark.usefixtures("quick_retries")


def ping(record, *numbers: int) -> list[int]:
    """Publish one Pinged event per number, each in its own transaction; their ids."""
    ids = []
    for n in numbers:
        with transaction.atomic():
            ids.append(publish(Pinged(n=n), actor=None, record=record).pk)
    return ids


def test_handlers_receive_events_in_event_order(thing, handlers):
    received: list[int] = []
    handlers("trace")
    handlers("order", func=lambda delivered: received.append(delivered.event.n))
    ids = ping(thing, 3, 1, 2)
    dispatch_pending()
    assert received == [3, 1, 2] and traces("trace") == ids


def test_a_handler_receives_the_payload_rebuilt_into_its_type(thing, handlers):
    seen = []
    handlers("typed", func=seen.append)
    [event_id] = ping(thing, 5)
    dispatch_pending()
    assert seen[0].event == Pinged(n=5)
    assert (seen[0].id, seen[0].record_id) == (event_id, thing.pk)
    assert seen[0].record_type == "customers.tag"


def test_a_failing_handler_is_retried_and_then_acts_once(thing, handlers):
    handlers("flaky", fail_times=1)
    [event_id] = ping(thing, 1)
    first = dispatch_pending()
    assert (first.failed, first.dispatched, traces("flaky")) == (1, 0, [])  # rolled back
    receipt = HandlerReceipt.objects.get()
    assert (receipt.status, receipt.attempts) == (ReceiptStatus.FAILED, 1)
    assert "flaky failed on purpose" in receipt.last_error
    second = dispatch_pending()
    assert (second.succeeded, second.dispatched) == (1, 1)
    dispatch_pending()
    assert traces("flaky") == [event_id]
    receipt.refresh_from_db()
    assert (receipt.status, receipt.attempts) == (ReceiptStatus.SUCCEEDED, 2)


def test_an_event_delivered_twice_acts_once(thing, handlers):
    handlers("once")
    [event_id] = ping(thing, 1)
    dispatch_pending()
    # As if a dispatcher crashed after the handler committed but before marking the event.
    EventRecord.objects.filter(pk=event_id).update(dispatched_at=None)
    report = dispatch_pending()
    assert (report.dispatched, report.succeeded) == (1, 0)
    assert traces("once") == [event_id]


def test_a_retry_does_not_rerun_the_handler_that_succeeded(thing, handlers):
    handlers("steady")
    handlers("flaky", fail_times=1)
    [event_id] = ping(thing, 1)
    dispatch_pending()
    dispatch_pending()
    assert traces("steady") == [event_id] and traces("flaky") == [event_id]
    assert EventRecord.objects.get().dispatched_at is not None


def test_a_failing_handler_receives_no_later_event_before_the_failed_one(thing, handlers):
    handlers("flaky", fail_times=1)
    handlers("steady")
    ids = ping(thing, 1, 2)
    dispatch_pending()
    assert traces("flaky") == [] and traces("steady") == ids  # others are not held up
    dispatch_pending()
    assert traces("flaky") == ids


def test_a_handler_gives_up_after_the_configured_attempts_and_says_why(thing, handlers):
    handlers("broken", fail_always=True)
    ping(thing, 1)
    reports = [dispatch_pending() for _ in range(4)]
    assert [r.failed for r in reports] == [1, 1, 0, 0] and reports[2].gave_up == 1
    receipt = HandlerReceipt.objects.get()
    assert (receipt.status, receipt.attempts) == (ReceiptStatus.GAVE_UP, 3)
    assert "RuntimeError: broken failed on purpose" in receipt.last_error
    assert EventRecord.objects.get().dispatched_at is not None
    assert traces("broken") == []


def test_a_retry_waits_for_its_time(thing, handlers, settings):
    settings.GUANXI_EVENTS = {"retry_seconds": 60, "queue_dispatch": False}
    handlers("flaky", fail_times=1)
    ping(thing, 1)
    failed = dispatch_pending()
    soon = dispatch_pending()
    assert soon.succeeded == 0 and soon.retry_at == failed.retry_at
    later = dispatch_pending(now=failed.retry_at)
    assert later.succeeded == 1


def test_events_nobody_subscribes_to_are_marked_dispatched_at_once(thing, handlers):
    handlers("trace")
    with transaction.atomic():
        publish(Ponged(), actor=None, record=thing)
    report = dispatch_pending()
    assert report.dispatched == 1 and not HandlerReceipt.objects.exists()
    assert not EventRecord.objects.filter(dispatched_at__isnull=True).exists()


def test_the_command_dispatches_and_lists_the_handlers_that_gave_up(thing, handlers, capsys):
    handlers("broken", fail_always=True)
    ping(thing, 1)
    with translation.override("en"):
        for _ in range(3):
            call_command("dispatch_events")
        call_command("dispatch_events", failures=True)
    out = capsys.readouterr().out
    assert "1 events dispatched" in out and "broken" in out and "failed on purpose" in out


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_run_each_handler_once_per_event(thing, handlers):
    handlers("counter")
    ids = ping(thing, *range(40))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            barrier.wait()
            dispatch_pending()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dispatch_pending()  # whatever one left to the other
    assert errors == []
    assert traces("counter") == ids


def test_a_handler_that_gave_up_runs_again_after_a_retry_and_acts_once(thing, handlers):
    failures = {"left": 3}

    def broken_until_fixed(delivered) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("the mail server is down")
        leave_trace("fixed", delivered)

    handlers("fixed", func=broken_until_fixed)
    handlers("steady")
    [event_id] = ping(thing, 1)
    for _ in range(3):
        dispatch_pending()
    assert HandlerReceipt.objects.get(handler="fixed").status == ReceiptStatus.GAVE_UP
    assert retry_given_up(handler="fixed") == 1
    assert EventRecord.objects.get().dispatched_at is None
    report = dispatch_pending()
    assert (report.succeeded, report.dispatched) == (1, 1)
    assert traces("fixed") == [event_id] and traces("steady") == [event_id]
    receipt = HandlerReceipt.objects.get(handler="fixed")
    assert (receipt.status, receipt.attempts) == (ReceiptStatus.SUCCEEDED, 1)


def test_a_retry_of_given_up_handlers_leaves_other_handlers_and_events_alone(thing, handlers):
    handlers("broken", fail_always=True)
    handlers("other", fail_always=True)
    first, second = ping(thing, 1, 2)
    for _ in range(6):
        dispatch_pending()
    assert retry_given_up(handler="broken", event_id=second) == 1
    broken = HandlerReceipt.objects.filter(handler="broken")
    statuses = dict(broken.values_list("event_id", "status"))
    assert statuses == {first: ReceiptStatus.GAVE_UP, second: ReceiptStatus.FAILED}
    assert (
        not HandlerReceipt.objects.filter(handler="other")
        .exclude(status=ReceiptStatus.GAVE_UP)
        .exists()
    )
    pending = EventRecord.objects.filter(dispatched_at__isnull=True)
    assert list(pending.values_list("pk", flat=True)) == [second]


def test_the_command_retries_given_up_handlers_and_dispatches(thing, handlers, capsys):
    handlers("broken", fail_always=True)
    ping(thing, 1)
    for _ in range(3):
        dispatch_pending()
    with translation.override("en"):
        call_command("dispatch_events", retry_given_up=True)
    out = capsys.readouterr().out
    assert "1 handler runs will be tried again" in out
    receipt = HandlerReceipt.objects.get()
    assert (receipt.status, receipt.attempts) == (ReceiptStatus.FAILED, 1)
