"""The customer timeline's extension point.

Each domain registers a source (from its AppConfig.ready) that returns its events for one
customer; the 360 view merges them. Adding activities, cases or campaigns to the timeline
never means editing the customers app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from guanxi.core.registry import Registry


@dataclass(frozen=True)
class TimelineEvent:
    """One dated thing that happened with a customer."""

    at: datetime
    kind: str
    title: str
    detail: str = ""


TimelineSource = Callable[[object, object, int], list[TimelineEvent]]
TIMELINE_LIMIT = 50  # events the 360 view shows
_sources: Registry[TimelineSource] = Registry("timeline source")


def register_timeline_source(name: str, source: TimelineSource) -> None:
    """Register ``source(viewer, customer, limit)`` under a unique name."""
    _sources.register(name, source)


def unregister_timeline_source(name: str) -> None:
    """Remove a registered source."""
    _sources.unregister(name)


def customer_timeline(viewer, customer, limit: int = TIMELINE_LIMIT) -> list[TimelineEvent]:
    """The newest ``limit`` events from every registered source, newest first."""
    events: list[TimelineEvent] = []
    for source in _sources.values():
        events.extend(source(viewer, customer, limit))
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]
