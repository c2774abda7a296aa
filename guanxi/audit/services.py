"""Writing to the audit log. Every read of personal data and every change comes here."""

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from guanxi.audit.models import AuditAction, AuditEntry

# Rows per INSERT statement: well under SQLite's limit of 32,766 parameters a statement.
ROWS_PER_INSERT = 1000


@dataclass(frozen=True)
class RequestContext:
    """Where a request came from, for the audit log."""

    ip_address: str | None = None
    channel: str = "api"
    purpose: str = ""


def record(
    actor,
    action: AuditAction,
    object_type: str,
    object_ids: Iterable[object],
    fields: list[str],
    context: RequestContext,
    purpose: str = "",
) -> None:
    """Append one entry per record; a list read of 50 customers writes 50 entries at once."""
    ids = [str(object_id) for object_id in object_ids]
    if not ids:
        return
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "system",
        action=action,
        object_type=object_type,
        fields=fields,
        purpose=(purpose or context.purpose)[:300],
        ip_address=context.ip_address,
        channel=context.channel,
    )
    _insert_many(entry, ids)


def _insert_many(template: AuditEntry, object_ids: list[str]) -> None:
    # Every list page audits each customer shown. One INSERT with a row per customer costs
    # the database one parse and plan instead of one per row (executemany), and Python a
    # fraction of building a model instance per row (bulk_create).
    columns = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(getattr(template, f.attname), connection) for f in columns]
    position = [f.attname for f in columns].index("object_id")
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    batches = [
        object_ids[start : start + ROWS_PER_INSERT]
        for start in range(0, len(object_ids), ROWS_PER_INSERT)
    ]
    # One statement is atomic by itself; only several need a transaction around them.
    with transaction.atomic() if len(batches) > 1 else nullcontext(), connection.cursor() as cur:
        for batch in batches:
            params = []
            for object_id in batch:
                params.extend((*values[:position], object_id, *values[position + 1 :]))
            rows = ", ".join([row] * len(batch))
            cur.execute(f"INSERT INTO {table} ({names}) VALUES {rows}", params)
