"""Domain events: publish what changed in the change's transaction; subscribe to react.

A domain declares its event types in ``<app>/events.py`` (subclasses of ``DomainEvent``)
and publishes them from its services with ``publish(...)`` inside ``transaction.atomic``;
a domain that reacts subscribes in ``<app>/handlers.py`` with ``@subscribe(...)``. The core
app imports both modules of every app on start. See the README, "Domain events".
"""

from guanxi.core.events.publish import NotInTransactionError, publish, publish_selected
from guanxi.core.events.subscriptions import Delivered, subscribe
from guanxi.core.events.types import DomainEvent, UnknownEventError

__all__ = [
    "Delivered",
    "DomainEvent",
    "NotInTransactionError",
    "UnknownEventError",
    "publish",
    "publish_selected",
    "subscribe",
]
