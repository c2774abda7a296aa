"""What the stores keep exactly, and a check that a record's values fit their columns.

Both databases must hold a value and give it back unchanged: SQLite keeps decimals as
64-bit floats, exact to 15 significant digits, so money (two decimal places) stays below
10^13 everywhere — in amounts, balances and the running totals built from them. Dates
older than 1900 are typing mistakes in a CRM, and far-off years break date arithmetic.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

MONEY_LIMIT = Decimal(10) ** 13
# Both databases store ids as signed 64-bit integers.
MAX_RECORD_ID = 2**63 - 1
# Business dates (birthdays, holdings, transactions) are no older than this.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def check_storable(instance: models.Model, fields: list[str]) -> None:
    """Refuse values of ``fields`` that their columns cannot keep.

    Runs Django's field validation (length, choices, null, blank) on the named fields only,
    so a partial update checks what it changes. Errors are keyed by the names the caller
    used (``branch_id``, not ``branch``).
    """
    by_attname = {f.attname: f.name for f in instance._meta.concrete_fields}
    names = {by_attname.get(name, name) for name in fields}
    # Django skips blank-allowed fields that hold None, though the column refuses NULL.
    missing = {
        f.attname if f.attname in fields else f.name: [f.error_messages["null"]]
        for f in instance._meta.concrete_fields
        if f.name in names and not f.null and getattr(instance, f.attname) is None
    }
    if missing:
        raise ValidationError(missing)
    exclude = [
        f.name
        for f in instance._meta.concrete_fields
        if f.name not in names or f.is_relation  # references are checked by the services
    ]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        attnames = {f.name: f.attname for f in instance._meta.concrete_fields}
        raise ValidationError(
            {
                name if name in fields else attnames.get(name, name): messages
                for name, messages in exc.message_dict.items()
            }
        ) from exc
