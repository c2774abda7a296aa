"""How the dispatcher retries, read from ``settings.GUANXI_EVENTS``."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class EventsConfig:
    """Dispatcher settings (see ``GUANXI_EVENTS`` in guanxi/settings.py)."""

    # Attempts of one handler at one event before it gives up (and the receipt says so).
    max_attempts: int = 5
    # Wait before the first retry; it doubles with each further failure, up to a day.
    retry_seconds: float = 30.0
    # Events read per query while working off the outbox.
    batch_size: int = 500
    # Whether committing an event queues a dispatch task (off: run ``guanxi dispatch-events``).
    queue_dispatch: bool = True

    def retry_delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failure."""
        return min(self.retry_seconds * 2 ** (attempts - 1), 86400.0)


def events_config() -> EventsConfig:
    """The configured settings, checked."""
    config = EventsConfig(**getattr(settings, "GUANXI_EVENTS", {}))
    if config.max_attempts < 1 or config.batch_size < 1 or config.retry_seconds < 0:
        raise ValueError("GUANXI_EVENTS needs max_attempts >= 1, batch_size >= 1, retry >= 0")
    return config
