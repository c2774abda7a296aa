"""Writing to the audit log. Every read of personal data and every change comes here.

An entry names one record (``object_type``/``object_id``) or, for a list read, the several
customers shown as its subjects (``AuditSubject``); a write also carries what it changed,
``{field: [old, new]}``. Entries are written with plain SQL of a fixed shape: reads write
one per request and are the hot path.
"""

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from guanxi.audit.models import AuditAction, AuditEntry, AuditSubject
from guanxi.core.insert_select import insert_selected


@dataclass(frozen=True)
class RequestContext:
    """Where a request came from, for the audit log."""

    ip_address: str | None = None
    channel: str = "api"
    purpose: str = ""


# Work the background worker does (analysis runs) has no request behind it.
TASK_CONTEXT = RequestContext(channel="task")


def created(values: dict) -> dict:
    """The changes of a new record: every value set (not blank), from nothing."""
    return {name: [None, value] for name, value in values.items() if value not in (None, "")}


def updated(instance: Any, values: Mapping[str, Any]) -> dict[str, list]:
    """Set on ``instance`` each of ``values`` that differs from what it holds, and return
    those changes as an update's entry keeps them, ``{field: [old, new]}``."""
    changes = {}
    for name, value in values.items():
        old = getattr(instance, name)
        if old != value:
            setattr(instance, name, value)
            changes[name] = [old, value]
    return changes


def deleted(values: dict) -> dict:
    """The changes of a removed record: every value it had (not blank), to nothing."""
    return {name: [value, None] for name, value in values.items() if value not in (None, "")}


def record(
    actor,
    action: AuditAction,
    object_type: str,
    object_ids: Iterable[object],
    fields: list[str],
    context: RequestContext | None,
    purpose: str = "",
    *,
    changes: dict | None = None,
    name: str = "",
    customers: Iterable[int] = (),
) -> None:
    """Append one entry.

    One id is the entry's record; several (customers only: a list page) make one entry that
    names them all as subjects; none writes nothing, except for a search. ``customers``
    names the customers a record belongs to (a contact's organisation), so a search for the
    customer finds it; ``name`` is the record's name for records that are not customers.
    """
    ids = list(dict.fromkeys(str(object_id) for object_id in object_ids))
    if not ids and action != AuditAction.SEARCH:
        return  # nothing was read (an empty list page)
    if len(ids) <= 1:
        # A search is written even when it found nobody: that it was made is the evidence.
        object_id = ids[0] if ids else ""
        subjects = list(dict.fromkeys(int(c) for c in customers))
    elif object_type == "customer":
        object_id, subjects = "", [int(i) for i in ids]
    else:
        raise ValueError("only customers can be named several to an entry")
    entry = _entry(actor, action, object_type, object_id, fields, context, purpose)
    entry.changes = changes or None
    entry.object_name = name[:200] or None
    entry.customer_count = len(subjects) or None
    _insert(entry, subjects)


def record_customer_set(
    actor,
    action: AuditAction,
    object_type: str,
    object_id: object,
    fields: list[str],
    context: RequestContext | None,
    *,
    customers_sql: str,
    params: list,
    name: str = "",
    changes: dict | None = None,
) -> int:
    """One entry naming every customer a query selects; returns how many (none: no entry).

    ``customers_sql`` is a SELECT of one column ``id``. The ids go from query to subject
    rows inside the database, so an entry can name a million customers (a run's value-tier
    changes) without them passing through Python. Run it before changing what the query
    selects by, in the same transaction.
    """
    entry = _entry(actor, action, object_type, str(object_id), fields, context, "")
    entry.object_name = name[:200] or None
    entry.changes = changes or None
    if connection.vendor == "postgresql":
        return _insert_set_postgresql(entry, customers_sql, params)
    return _insert_set_sqlite(entry, customers_sql, params)


def record_selected(
    actor,
    action: AuditAction,
    object_type: str,
    fields: list[str],
    context: RequestContext | None,
    *,
    rows: QuerySet,
    changes: dict,
) -> int:
    """One entry per record a query selects, all with the same ``changes``, in one statement;
    returns how many.

    ``rows`` is a ``values(object_id=..., object_name=...)`` query (the id as text, the
    record's name at most 200 characters). For records changed in bulk that are not
    customers (a handover's leads); run it before the change alters what it selects.
    """
    entry = _entry(actor, action, object_type, "", fields, context, "")
    entry.changes = changes
    shared = {
        f.attname: getattr(entry, f.attname)
        for f in _COLUMNS
        if f.attname not in ("object_id", "object_name", "customer_count")
    }
    return insert_selected(AuditEntry, rows, shared)


def _entry(actor, action, object_type, object_id, fields, context, purpose) -> AuditEntry:
    context = context or RequestContext(channel="")
    return AuditEntry(
        at=timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        fields=fields,
        purpose=(purpose or context.purpose)[:300],
        ip_address=context.ip_address,
        channel=context.channel,
    )


_COLUMNS = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


def _values(entry: AuditEntry, columns=_COLUMNS) -> list:
    return [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in columns]


@functools.cache
def _insert_statement(vendor: str, with_subjects: bool) -> str:
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in _COLUMNS)
    values = ", ".join(["%s"] * len(_COLUMNS))
    insert = f"INSERT INTO {table} ({names}) VALUES ({values})"
    if not with_subjects:
        return insert
    subjects = connection.ops.quote_name(AuditSubject._meta.db_table)
    if vendor == "postgresql":
        # One statement: the entry, then its subjects from one array parameter.
        return (
            f"WITH e AS ({insert} RETURNING id) INSERT INTO {subjects} (customer_id, entry_id)"
            " SELECT ids.value, e.id FROM e, unnest(%s::bigint[]) AS ids(value)"
        )
    return f"INSERT INTO {subjects} (customer_id, entry_id) SELECT value, %s FROM json_each(%s)"


def _insert(entry: AuditEntry, subjects: list[int]) -> None:
    # The ids of a list page go as one parameter (an array, or JSON that SQLite unpacks):
    # neither Python nor the database handles a parameter per customer.
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if not subjects:
            cursor.execute(_insert_statement(vendor, False), _values(entry))
        elif vendor == "postgresql":
            cursor.execute(_insert_statement(vendor, True), [*_values(entry), subjects])
        else:
            cursor.execute(_insert_statement(vendor, False), _values(entry))
            cursor.execute(
                _insert_statement(vendor, True), [cursor.lastrowid, json.dumps(subjects)]
            )


def _set_statement_parts() -> tuple[str, str, str]:
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in _COLUMNS)
    subjects = connection.ops.quote_name(AuditSubject._meta.db_table)
    return table, names, subjects


def _insert_set_postgresql(entry: AuditEntry, customers_sql: str, params: list) -> int:
    table, names, subjects = _set_statement_parts()
    selected = ", ".join(
        "(SELECT count(*) FROM ids)" if f.attname == "customer_count" else "%s" for f in _COLUMNS
    )
    shared = _values(entry, [f for f in _COLUMNS if f.attname != "customer_count"])
    sql = (
        f"WITH ids AS MATERIALIZED ({customers_sql}),"
        f" e AS (INSERT INTO {table} ({names}) SELECT {selected}"
        " WHERE EXISTS (SELECT 1 FROM ids) RETURNING id)"
        f" INSERT INTO {subjects} (customer_id, entry_id) SELECT ids.id, e.id FROM e, ids"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *shared])
        return cursor.rowcount


def _insert_set_sqlite(entry: AuditEntry, customers_sql: str, params: list) -> int:
    # SQLite has no INSERT inside WITH: the ids wait in a temporary table, read once.
    table, names, subjects = _set_statement_parts()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS temp.audit_customer_set")
        cursor.execute(f"CREATE TEMP TABLE audit_customer_set AS {customers_sql}", params)
        cursor.execute("SELECT count(*) FROM temp.audit_customer_set")
        (count,) = cursor.fetchone()
        if count:
            entry.customer_count = count
            cursor.execute(_insert_statement("sqlite", False), _values(entry))
            cursor.execute(
                f"INSERT INTO {subjects} (customer_id, entry_id)"
                " SELECT id, %s FROM temp.audit_customer_set",
                [cursor.lastrowid],
            )
        cursor.execute("DROP TABLE temp.audit_customer_set")
    return count
