"""Who reacts to which events: handlers registered under stable names.

A handler's name is stored in every receipt it leaves, so it must not change when the
function is renamed or moved: ``subscribe`` takes it explicitly. One handler may subscribe
to several events; each event it receives is handled and receipted once.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from guanxi.core.events.types import DomainEvent, event_type
from guanxi.core.registry import Registry


@dataclass(frozen=True)
class Delivered:
    """One committed event as a handler receives it."""

    id: int
    name: str
    record_type: str
    record_id: int
    actor_id: int | None
    occurred_at: dt.datetime
    event: DomainEvent  # the payload, rebuilt into its declared type


Handler = Callable[[Delivered], None]


@dataclass(frozen=True)
class Subscription:
    """A named handler and the events it receives."""

    handler: str
    event_names: frozenset[str]
    func: Handler


HANDLERS: Registry[Subscription] = Registry("event handler")


def subscribe(*event_names: str, handler: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as ``handler`` for the named (declared) events.

    It runs after the event's transaction committed, inside a transaction of its own that
    also records that it is done; if it raises, that transaction rolls back and it is
    retried later. Work outside the database (an HTTP call) must itself be idempotent by
    ``Delivered.id``, since a crash after it but before the commit repeats it.
    """
    for name in event_names:
        event_type(name)  # refuses a name no event type declares

    def register(func: Handler) -> Handler:
        HANDLERS.register(handler, Subscription(handler, frozenset(event_names), func))
        return func

    return register


def handlers_for(name: str) -> list[Subscription]:
    """The subscriptions to the event ``name``, in registration order."""
    return [s for s in HANDLERS.values() if name in s.event_names]


def subscribed_names() -> set[str]:
    """Every event name at least one handler receives."""
    return {name for s in HANDLERS.values() for name in s.event_names}
