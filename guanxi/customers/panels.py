"""The customer 360 page's extension point for extra panels.

A domain registers a panel (from its AppConfig.ready) that returns the template to include
and its context for one customer, or None to show nothing; the 360 view renders them in
registration order. Sources are only asked about a customer the viewer may see (the 360
view has checked), so they need not check the record scope again. Adding analytics scores
or open cases to the 360 page never means editing the customers app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from guanxi.core.registry import Registry


@dataclass(frozen=True)
class Panel:
    """One extra panel: the template to include and the context it needs."""

    template: str
    context: dict = field(default_factory=dict)


PanelSource = Callable[[object, int], Panel | None]
_panels: Registry[PanelSource] = Registry("360 panel")


def register_360_panel(name: str, source: PanelSource) -> None:
    """Register ``source(viewer, customer_id)`` under a unique name."""
    _panels.register(name, source)


def unregister_360_panel(name: str) -> None:
    """Remove a registered panel."""
    _panels.unregister(name)


def extra_panels(viewer, customer_id: int) -> list[Panel]:
    """The panels the registered sources have for this (visible) customer."""
    return [p for source in _panels.values() if (p := source(viewer, customer_id)) is not None]
