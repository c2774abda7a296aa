"""Handing committed events to their handlers: in order, at least once, acting once.

A pass reads pending events in id order. Events nobody subscribes to are marked dispatched
in one UPDATE. For the others, each handler runs in a transaction of its own that first
locks the event row (PostgreSQL: ``FOR UPDATE SKIP LOCKED``; SQLite: the write lock its
IMMEDIATE transactions take at BEGIN), re-reads the handler's receipt, runs the handler in
a savepoint and writes the receipt, so two dispatchers never both run it and a handler
whose receipt says done is never run again. A handler that fails, is waiting to retry, or
whose event another dispatcher holds receives none of the later events in this pass: each
handler sees events in order. After ``max_attempts`` failures it gives up on that event;
the receipt keeps the attempts and the last error for people to see.
"""

import datetime as dt
import logging
import traceback
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from guanxi.core.events.config import EventsConfig, events_config
from guanxi.core.events.models import EventRecord, HandlerReceipt, ReceiptStatus
from guanxi.core.events.subscriptions import Delivered, Subscription, handlers_for, subscribed_names
from guanxi.core.events.types import event_type

logger = logging.getLogger(__name__)
FINAL = (ReceiptStatus.SUCCEEDED, ReceiptStatus.GAVE_UP)


@dataclass
class DispatchReport:
    """What one pass did."""

    dispatched: int = 0  # events every handler is now done with
    succeeded: int = 0  # handler runs that succeeded
    failed: int = 0  # handler runs that failed and will be retried
    gave_up: int = 0  # handler runs that failed for the last time
    retry_at: dt.datetime | None = None  # the earliest retry still to come
    blocked: set[str] = field(default_factory=set)  # handlers held back for the pass

    def wait_until(self, moment: dt.datetime) -> None:
        """Note a retry due at ``moment``."""
        self.retry_at = moment if self.retry_at is None else min(self.retry_at, moment)


def dispatch_pending(*, now: dt.datetime | None = None) -> DispatchReport:
    """Work off every pending event once; returns what happened."""
    config = events_config()
    now = now or timezone.now()
    report = DispatchReport()
    pending = EventRecord.objects.filter(dispatched_at__isnull=True)
    report.dispatched += pending.exclude(name__in=subscribed_names()).update(dispatched_at=now)
    after = 0
    while batch := list(pending.filter(pk__gt=after).order_by("pk")[: config.batch_size]):
        after = batch[-1].pk
        receipts = _receipts(batch)
        for record in batch:
            _dispatch_one(record, receipts, report, config, now)
    return report


def _receipts(batch: list[EventRecord]) -> dict[tuple[int, str], str]:
    rows = HandlerReceipt.objects.filter(event__in=batch, status__in=FINAL)
    return {
        (event_id, handler): status
        for event_id, handler, status in rows.values_list("event_id", "handler", "status")
    }


def _dispatch_one(record, receipts, report: DispatchReport, config, now) -> None:
    """Run the event's handlers that have not dealt with it; mark it dispatched once all have
    (in the transaction of the last handler, which saves a commit per event)."""
    todo = [s for s in handlers_for(record.name) if (record.pk, s.handler) not in receipts]
    if not todo:  # handed out again after every handler was done with it
        _mark_dispatched(record.pk, report)
        return
    done, delivered = True, None
    for position, subscription in enumerate(todo, start=1):
        if subscription.handler in report.blocked:
            done = False
            continue
        delivered = delivered or _delivered(record)
        finish = done and position == len(todo)
        if _run(subscription, delivered, report, config, now, finish) not in FINAL:
            report.blocked.add(subscription.handler)
            done = False


def _delivered(record: EventRecord) -> Delivered:
    return Delivered(
        id=record.pk,
        name=record.name,
        record_type=record.record_type,
        record_id=record.record_id,
        actor_id=record.actor_id,
        occurred_at=record.occurred_at,
        event=event_type(record.name).model_validate(record.payload),
    )


def _run(
    subscription: Subscription,
    delivered: Delivered,
    report: DispatchReport,
    config: EventsConfig,
    now: dt.datetime,
    finish: bool,
) -> str | None:
    """Run one handler on one event in one transaction; its receipt status, or None when
    the event is held by another dispatcher. ``finish``: the other handlers are done, so
    a final status here completes the event."""
    with transaction.atomic():
        if not _lock(delivered.id):
            return None
        receipt = HandlerReceipt.objects.filter(
            event_id=delivered.id, handler=subscription.handler
        ).first() or HandlerReceipt(event_id=delivered.id, handler=subscription.handler)
        if receipt.status in FINAL:  # another dispatcher finished it since this pass began
            if finish:
                _mark_dispatched(delivered.id, report)
            return receipt.status
        if receipt.retry_at is not None and receipt.retry_at > now:
            report.wait_until(receipt.retry_at)
            return receipt.status
        receipt.attempts += 1
        receipt.updated_at = timezone.now()
        try:
            with transaction.atomic():  # a savepoint: a failing handler leaves no trace
                subscription.func(delivered)
        except Exception as exc:
            logger.warning("handler %s failed on event %s", subscription.handler, delivered.id)
            _failed(receipt, exc, report, config)
        else:
            receipt.status, receipt.retry_at, receipt.last_error = ReceiptStatus.SUCCEEDED, None, ""
            report.succeeded += 1
        receipt.save()
        if finish and receipt.status in FINAL:
            _mark_dispatched(delivered.id, report)
        return receipt.status


def _mark_dispatched(event_id: int, report: DispatchReport) -> None:
    EventRecord.objects.filter(pk=event_id).update(dispatched_at=timezone.now())
    report.dispatched += 1


def _failed(receipt: HandlerReceipt, exc: Exception, report: DispatchReport, config) -> None:
    receipt.last_error = "".join(traceback.format_exception(exc))[-4000:]
    if receipt.attempts >= config.max_attempts:
        receipt.status, receipt.retry_at = ReceiptStatus.GAVE_UP, None
        report.gave_up += 1
        return
    receipt.status = ReceiptStatus.FAILED
    receipt.retry_at = receipt.updated_at + dt.timedelta(
        seconds=config.retry_delay(receipt.attempts)
    )
    report.failed += 1
    report.wait_until(receipt.retry_at)


def _lock(event_id: int) -> bool:
    """Lock the event row for this transaction; False if another dispatcher holds it."""
    if not connection.features.has_select_for_update_skip_locked:
        return True  # SQLite: BEGIN IMMEDIATE already gave this transaction the write lock
    locked = EventRecord.objects.select_for_update(skip_locked=True).filter(pk=event_id)
    return locked.values_list("pk", flat=True).first() is not None


def retry_given_up(*, handler: str | None = None, event_id: int | None = None) -> int:
    """Give handlers that gave up on events a new round of attempts; how many receipts.

    Meant for after the cause is fixed (a bug deployed, a mail server back). The events go
    back to pending, so the next pass runs these handlers on them first: being the oldest,
    they come before events the handlers already dealt with meanwhile, which is the one
    departure from event order a retry cannot avoid. Handlers that succeeded on those
    events keep their receipts and are not run again.
    """
    given_up = HandlerReceipt.objects.filter(status=ReceiptStatus.GAVE_UP)
    if handler is not None:
        given_up = given_up.filter(handler=handler)
    if event_id is not None:
        given_up = given_up.filter(event_id=event_id)
    with transaction.atomic():
        events = list(given_up.values_list("event_id", flat=True).distinct())
        count = given_up.update(
            status=ReceiptStatus.FAILED, attempts=0, retry_at=None, updated_at=timezone.now()
        )
        EventRecord.objects.filter(pk__in=events).update(dispatched_at=None)
    return count
