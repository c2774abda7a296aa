"""Wall-clock seconds of the store-side phases of an analysis run.

The pipeline times its own steps; a run adds the phases around them (the snapshot, the score
rows, cross-selling, the KPI cells and each part of the write-back) so the run's overview says
where a slow night went. Phases may run on two threads at once: each writes only its own key.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from time import perf_counter
from typing import TypeVar

T = TypeVar("T")


class RunPhases:
    """Seconds per phase code, in the order the phases ended."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def since(self, code: str, began: float) -> None:
        """Record phase ``code`` as begun at ``began`` (a ``perf_counter`` value) and ended now."""
        self.seconds[code] = round(perf_counter() - began, 3)

    def call(self, code: str, work: Callable[[], T]) -> T:
        """``work()`` timed as phase ``code`` (for a thread pool's ``submit``)."""
        with self.timed(code):
            return work()

    @contextmanager
    def timed(self, code: str) -> Iterator[None]:
        """Time the block as phase ``code``."""
        began = perf_counter()
        try:
            yield
        finally:
            self.since(code, began)
