"""The mask table: how every personal field looks at each access, in one place.

Phone, ID number and email have an access of their own (``guanxi.policy.fields``). The
birthday and account numbers follow the ID number's: shown in full where the ID is, and
masked everywhere else, hidden ID included.

Masks are chosen together so that no field gives back what another one hides. A masked ID
hides the eight birth-date digits **and the check digit**: a masked birthday keeps month
and day (``**-06-15``, so birthday greetings still work), and with month, day, sequence and
check digit known the year would follow from the check digit to within a handful of
candidates. With the check digit hidden too, about a hundred years remain possible.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from guanxi.policy.fields import Access


def mask_phone(value: str) -> str:
    """138****5678 — keep the first 3 and last 4 digits."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    """110105********123* — keep the region code and the sequence number.

    The birth date and the check digit are hidden (see the module docstring).
    """
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:-1] + "*"


def mask_email(value: str) -> str:
    """z***@example.com — keep the first letter and the domain."""
    local, _, domain = value.partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_birthday(value: date | str) -> str:
    """**-06-15 — keep month and day, hide the year."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "**" + text[4:] if len(text) == 10 else "**"


def mask_account_number(value: str) -> str:
    """…5678 — keep the last 4 characters."""
    return "…" + value[-4:]


@dataclass(frozen=True)
class Mask:
    """How one personal field is masked, and whose access it follows (None: its own)."""

    shown: Callable
    follows: str | None = None


MASKS: dict[str, Mask] = {
    "phone": Mask(mask_phone),
    "id_number": Mask(mask_id_number),
    "email": Mask(mask_email),
    "birthday": Mask(mask_birthday, follows="id_number"),
    "account_number": Mask(mask_account_number, follows="id_number"),
}


def access_to(field_name: str, access: dict[str, Access]) -> Access:
    """The viewer's access to any field of the mask table, given their field access."""
    follows = MASKS[field_name].follows
    if follows is None:
        return access.get(field_name, Access.HIDDEN)
    if access.get(follows) is Access.FULL:
        return Access.FULL
    # Masked even where the ID is hidden, but nothing of a customer the viewer cannot see.
    return Access.MASKED if any(access.values()) else Access.HIDDEN


def present(field_name: str, value, access: Access):
    """The value as the viewer may see it: full, masked, or None when hidden.

    Dates (the birthday) come as ISO text, full or masked, so both have one type.
    """
    if not value:
        return "" if access is not Access.HIDDEN else None
    if access is Access.FULL:
        return value.isoformat() if isinstance(value, date) else value
    if access is Access.MASKED:
        return MASKS[field_name].shown(value)
    return None
