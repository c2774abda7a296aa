"""What callers give the customer and contact services: the fields to set, typed.

A create and a partial update both name only some fields, and an update must tell a field
left out from one sent empty: "not sent" keeps the stored value, ``""`` or ``None`` clears
it. So a field not given holds ``UNSET`` (an enum singleton, so that ``is not UNSET``
narrows the type), and ``given()`` returns the given fields as a dict, which is what the
services' cleaning consumes.
"""

import dataclasses
import enum
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final, Self

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class Unset(enum.Enum):
    """The type of ``UNSET``; its one member stands for a field the caller did not give."""

    UNSET = enum.auto()

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


class _GivenFields:
    """What the field sets share: the given fields, and building from a mapping."""

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every field the set can hold."""
        # Called on the dataclasses below only; the base itself has no fields.
        return tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Self:
        """The set holding ``values``; a name that is not a field is refused by name."""
        unknown = sorted(set(values) - set(cls.names()))
        if unknown:
            raise ValidationError({name: [_("This field cannot be set.")] for name in unknown})
        return cls(**values)

    def given(self) -> dict[str, Any]:
        """The given fields and their values (``None`` and ``""`` included), in field order."""
        values = {name: getattr(self, name) for name in self.names()}
        return {name: value for name, value in values.items() if value is not UNSET}


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerFields(_GivenFields):
    """The editable fields of a customer; those not given hold ``UNSET``."""

    kind: str | Unset = UNSET
    name: str | Unset = UNSET
    gender: str | Unset = UNSET
    birthday: date | None | Unset = UNSET
    id_number: str | Unset = UNSET
    phone: str | Unset = UNSET
    email: str | Unset = UNSET
    address: str | Unset = UNSET
    occupation: str | Unset = UNSET
    external_id: str | Unset = UNSET
    source_channel: str | Unset = UNSET
    # An organisation's; an individual cannot have them (nor an organisation the
    # individual's gender, birthday and resident ID).
    uscc: str | Unset = UNSET
    legal_representative: str | Unset = UNSET
    registered_capital: Decimal | None | Unset = UNSET
    industry: str | Unset = UNSET
    branch_id: int | Unset = UNSET
    owner_id: int | None | Unset = UNSET
    value_tier: str | Unset = UNSET
    # Merged into the stored values by key; a key given None is removed.
    custom_fields: dict[str, Any] | None | Unset = UNSET


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContactFields(_GivenFields):
    """The editable fields of a contact person; those not given hold ``UNSET``."""

    name: str | Unset = UNSET
    title: str | Unset = UNSET
    phone: str | Unset = UNSET
    email: str | Unset = UNSET
    is_primary: bool | Unset = UNSET
