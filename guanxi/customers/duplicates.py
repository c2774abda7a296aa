"""Customers who may be the one being entered again: same resident ID number, unified social
credit code, phone or e-mail.

Two uses, one query each:

* ``customer_duplicates_for`` (a selector) — what the create page warns of before saving.
  A match by ID number or credit code refuses the create; a match by phone or e-mail is a
  warning the user may confirm (families share a landline, colleagues an office e-mail).
* ``refuse_duplicate_identifiers`` — the services' guard, inside their transaction: a
  second customer with the same ID number or credit code is refused with
  ``DuplicateValue`` (the API's 409), whatever the page said before.

What an answer tells, and to whom (no oracle beyond what uniqueness implies):

* A value that must be unique is refused whoever holds it, so a refusal naming the field
  tells the caller that *some* customer has this ID number. Uniqueness implies that much,
  and nothing can hide it short of allowing the duplicate. It tells nothing more: the
  existing customer's id (``existing_id``) only to a caller who may see that customer —
  who would find it by searching with the same value anyway —, and otherwise the same
  status and message with no id, whoever the holder is and wherever it sits.
* Only roles that may create (or edit) customers get as far as the lookup (the policy's
  403 comes first), and a role that may not search by a personal field
  (``policy.may_search_by``: marketers and analysts hide ID numbers) may not set it
  either: ``refuse_unsearchable`` refuses the value (422 naming the field) before any
  lookup, whether or not such a customer exists, so a create cannot serve as the search
  that role is refused. The credit code names a company, not a person: it is no personal
  field, and every role may search by it.
* The page's warnings go further for phone and e-mail: they say that a customer out of the
  user's scope has the number (never who), the price of catching duplicates across
  branches. They are limited the same way, and every check is audited as an identifying
  search with the values checked.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, Field, Q, Value, When
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.concurrency import DuplicateValue
from guanxi.customers.identity import (
    normalise_email,
    normalise_phone,
    normalise_uscc,
    parse_resident_id,
)
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import Customer

# A second customer with one of these is refused; with one of the others, warned of.
UNIQUE_FIELDS = ("id_number", "uscc")
WARNED_FIELDS = ("phone", "email")
# Visible matches named per field; the rest are "and others".
SHOWN_PER_FIELD = 5
MAX_ROWS = 20


def _resident_id(raw: str) -> str:
    return parse_resident_id(raw).number


NORMALISE: dict[str, Callable[[str], str]] = {
    "id_number": _resident_id,
    "uscc": normalise_uscc,
    "phone": normalise_phone,
    "email": normalise_email,
}


@dataclass(frozen=True)
class Match:
    """An existing customer with the same value of ``field``; ``customer_id`` and ``name``
    are ``None`` when the viewer may not see that customer."""

    field: str
    value: str
    customer_id: int | None = None
    name: str | None = None

    @property
    def refuses(self) -> bool:
        """Whether this match forbids the create (ID number, credit code)."""
        return self.field in UNIQUE_FIELDS

    @property
    def label(self) -> str:
        """The field's name, as the model calls it ("resident ID number")."""
        return str(cast(Field, Customer._meta.get_field(self.field)).verbose_name)


@dataclass(frozen=True)
class Duplicates:
    """What a create would duplicate: refusing matches and warnings."""

    matches: tuple[Match, ...] = ()

    @property
    def refused(self) -> tuple[Match, ...]:
        """Matches that forbid the create."""
        return tuple(m for m in self.matches if m.refuses)

    @property
    def warnings(self) -> tuple[Match, ...]:
        """Matches the user may confirm to create anyway."""
        return tuple(m for m in self.matches if not m.refuses)

    @property
    def key(self) -> str:
        """Names the values warned of: a confirmation holds for these values only, so
        changing the phone after confirming warns again."""
        values = sorted({f"{m.field}={m.value}" for m in self.warnings})
        return hashlib.sha256("\n".join(values).encode()).hexdigest()[:16] if values else ""

    def confirmed_by(self, key: str) -> bool:
        """Whether ``key`` confirms every warning (true when there is none)."""
        return not self.warnings or key == self.key


def _identifiers(viewer: policy.Viewer, fields: CustomerFields) -> dict[str, str]:
    """The identifying values given, normalised; invalid ones (the service names them) and
    personal fields the viewer may not search by are left out."""
    given = fields.given()
    found: dict[str, str] = {}
    for name, normalise in NORMALISE.items():
        raw = given.get(name)
        if not raw or (name in policy.PERSONAL_FIELDS and not policy.may_search_by(viewer, name)):
            continue
        try:
            found[name] = normalise(raw)
        except ValidationError:
            continue
    return found


def _rows(
    viewer: policy.Viewer, identifiers: dict[str, str], *, exclude_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """Customers with any of the values, those the viewer may see first: one query."""
    matching = Q()
    for name, value in identifiers.items():
        matching |= Q(**{name: value})
    in_scope = policy.scope_condition(**policy.scope_values(viewer))
    visible = Case(When(in_scope, then=Value(True)), default=Value(False))
    rows = Customer.objects.filter(matching)
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    rows = rows.annotate(visible=visible).order_by("-visible", "pk")
    return list(rows.values("pk", "name", "visible", *identifiers)[:limit])


def customer_duplicates_for(
    *, viewer: policy.Viewer, fields: CustomerFields, context: RequestContext
) -> Duplicates:
    """Existing customers with the same ID number, credit code, phone or e-mail as
    ``fields``, as far as the viewer may know of them; audited as an identifying search."""
    identifiers = _identifiers(viewer, fields)
    if not identifiers:
        return Duplicates()
    rows = _rows(viewer, identifiers, exclude_id=None, limit=MAX_ROWS)
    matches: list[Match] = []
    for name, value in identifiers.items():
        found = [r for r in rows if r[name] == value]
        shown = [r for r in found if r["visible"]][:SHOWN_PER_FIELD]
        matches += [Match(name, value, r["pk"], r["name"]) for r in shown]
        if any(not r["visible"] for r in found):
            matches.append(Match(name, value))
    record(
        viewer.user,
        AuditAction.SEARCH,
        "customer",
        [r["pk"] for r in rows],
        sorted(identifiers),
        context,
        changes={name: [None, value] for name, value in identifiers.items()},
    )
    return Duplicates(tuple(matches))


def duplicate_message(field: str) -> str:
    """What a refused duplicate of ``field`` is told."""
    if field == "uscc":
        return _("An organisation with this unified social credit code exists already.")
    return _("A customer with this resident ID number exists already.")


def refuse_unsearchable(viewer: policy.Viewer, cleaned: dict[str, Any]) -> None:
    """Refuse a unique personal value the viewer may not search by, before any lookup."""
    refused = {
        name: [_("Your role may not set this field.")]
        for name in UNIQUE_FIELDS
        if cleaned.get(name)
        and name in policy.PERSONAL_FIELDS
        and not policy.may_search_by(viewer, name)
    }
    if refused:
        raise ValidationError(refused)


def _lock(name: str, value: str) -> None:
    # SQLite's IMMEDIATE transactions hold the write lock from BEGIN, so two creates are
    # already one after the other; PostgreSQL's are not, and there a lock per value keeps
    # two creates of the same number from both finding none. Released at commit.
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(f"customers.{name}={value}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)]
        )


def refuse_duplicate_identifiers(
    *, viewer: policy.Viewer, values: dict[str, Any], customer_id: int | None = None
) -> None:
    """Raise ``DuplicateValue`` when another customer has one of the unique values given
    (ID number, credit code), naming the field, and its id only if the viewer may see it.

    Call inside the transaction that writes the values: the check holds until commit.
    This is a service-side rule rather than a unique index, because stored data (imports,
    generated demo data) may hold duplicates for the duplicate merge to resolve; it refuses
    new ones only.
    """
    identifiers = {name: values[name] for name in UNIQUE_FIELDS if values.get(name)}
    if not identifiers:
        return
    if not connection.in_atomic_block:
        raise RuntimeError("refuse_duplicate_identifiers runs inside the writing transaction")
    for name, value in sorted(identifiers.items()):
        _lock(name, value)
    rows = _rows(viewer, identifiers, exclude_id=customer_id, limit=1)
    if not rows:
        return
    row = rows[0]
    field = next(name for name, value in identifiers.items() if row[name] == value)
    existing = row["pk"] if row["visible"] else None
    raise DuplicateValue(field, duplicate_message(field), existing_id=existing)
