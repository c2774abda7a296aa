"""Fixtures of the event tests: test-only event types, handlers that leave traces, a record.

Handlers prove what they did by writing audit entries (a real table, so a handler whose
transaction rolls back leaves no trace, exactly as a real handler's work would not).
"""

from collections.abc import Callable, Iterator

import pytest

from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.audit.services import RequestContext, record
from guanxi.core.events import Delivered, DomainEvent, subscribe
from guanxi.core.events.subscriptions import HANDLERS
from guanxi.customers.models import Tag


class Pinged(DomainEvent):
    """A test event with a number."""

    event_name = "test.pinged"
    n: int


class Noted(DomainEvent):
    """A test event with a number and a note that has a default."""

    event_name = "test.noted"
    n: int
    note: str = ""


class Ponged(DomainEvent):
    """A second test event, which no test handler subscribes to unless it says so."""

    event_name = "test.ponged"


def leave_trace(handler: str, delivered: Delivered) -> None:
    """Write the trace of ``handler`` acting on ``delivered``: one audit entry."""
    record(None, AuditAction.UPDATE, f"trace:{handler}", [delivered.id], [], RequestContext())


def traces(handler: str) -> list[int]:
    """The event ids ``handler`` acted on, in the order it acted (committed work only)."""
    entries = AuditEntry.objects.filter(object_type=f"trace:{handler}").order_by("id")
    return [int(i) for i in entries.values_list("object_id", flat=True)]


@pytest.fixture
def thing(db) -> Tag:
    """A record for events to be about."""
    return Tag.objects.create(name="event-test")


@pytest.fixture
def handlers() -> Iterator[Callable[..., None]]:
    """Subscribe test handlers; each is removed again after the test."""
    names: list[str] = []

    def add(name: str, *events: str, fail_times=0, fail_always=False, func=None) -> None:
        """Subscribe ``func``, or a handler that leaves a trace and fails as told."""
        failures = {"left": fail_times}

        def handle(delivered: Delivered) -> None:
            leave_trace(name, delivered)  # written first: a failure must roll it back
            if fail_always or failures["left"] > 0:
                failures["left"] -= 1
                raise RuntimeError(f"{name} failed on purpose")

        subscribe(*(events or ("test.pinged",)), handler=name)(func or handle)
        names.append(name)

    yield add
    for name in names:
        HANDLERS.unregister(name)


@pytest.fixture
def quick_retries(settings) -> None:
    """Retries due at once, three attempts in all."""
    settings.GUANXI_EVENTS = {"max_attempts": 3, "retry_seconds": 0, "queue_dispatch": False}
