"""Named registries for extension points.

A domain registers an item under a stable name from its AppConfig.ready (a timeline source,
a 360 panel, an event type, an event handler); whoever uses the extension point reads the
items in registration order. Names are checked: registering a second, different item under
a name already taken is a programming error and fails at start, not later at run time.
"""

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Items of one kind by unique name, kept in registration order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T) -> T:
        """Add ``item`` under ``name``; registering the same item again changes nothing."""
        existing = self._items.get(name)
        if existing is not None and existing != item:
            raise ValueError(f"{self.kind} {name!r} is registered already")
        self._items[name] = item
        return item

    def unregister(self, name: str) -> None:
        """Remove the item registered under ``name`` (no error if there is none)."""
        self._items.pop(name, None)

    def get(self, name: str) -> T | None:
        """The item registered under ``name``, or None."""
        return self._items.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))

    def items(self) -> list[tuple[str, T]]:
        """(name, item) pairs in registration order."""
        return list(self._items.items())

    def values(self) -> list[T]:
        """The items in registration order."""
        return list(self._items.values())
