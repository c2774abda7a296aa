"""Typed domain events and the registry of their names.

An event type is a small frozen pydantic model whose fields are the payload; its class
variable ``event_name`` (``<domain object>.<what happened>``, past tense) is what is stored
and what handlers subscribe to. Declaring the class registers it, so the payload is
validated when it is published and rebuilt into the same type when it is dispatched.
Payloads carry ids, codes and the names of changed fields, never personal values: the
outbox is read by every handler and kept after the record changes again.
"""

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from guanxi.core.registry import Registry

EVENT_TYPES: Registry[type["DomainEvent"]] = Registry("event type")


class UnknownEventError(LookupError):
    """An event name that no declared event type carries."""


class DomainEvent(BaseModel):
    """Something that happened in a domain; subclasses declare ``event_name`` and the payload."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_name: ClassVar[str] = ""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if not cls.event_name or "." not in cls.event_name:
            raise TypeError(f"{cls.__name__} needs an event_name like 'customer.created'")
        EVENT_TYPES.register(cls.event_name, cls)


def event_type(name: str) -> type[DomainEvent]:
    """The declared type of the event called ``name``."""
    declared = EVENT_TYPES.get(name)
    if declared is None:
        raise UnknownEventError(f"no event type is declared as {name!r}")
    return declared
