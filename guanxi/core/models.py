"""The core app's models: the domain-event outbox lives in :mod:`guanxi.core.events.models`."""

from guanxi.core.events.models import EventRecord, HandlerReceipt

__all__ = ["EventRecord", "HandlerReceipt"]
