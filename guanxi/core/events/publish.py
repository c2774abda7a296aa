"""Recording domain events in the outbox, inside the transaction of the change.

``publish`` writes one row; ``publish_selected`` writes one row per row of a query in a
single INSERT ... SELECT, for changes made in bulk (an analysis run moving the value tier of
a million customers cannot afford a Python object per customer). Either refuses to run
outside ``transaction.atomic``: an event written in autocommit could be committed while the
change it describes fails, and "rolled back means never happened" would no longer hold.
"""

import json

from django.db import connection, models, transaction
from django.utils import timezone

from guanxi.core.events.config import events_config
from guanxi.core.events.models import EventRecord
from guanxi.core.events.types import DomainEvent, event_type

_PG_CASTS = ("::varchar", "::varchar", "::bigint", "::timestamptz")


class NotInTransactionError(RuntimeError):
    """An event published outside ``transaction.atomic``."""


def publish(event: DomainEvent, *, actor, record: models.Model) -> EventRecord:
    """Record ``event`` about ``record`` (a saved model instance) done by ``actor`` (a user,
    or None for the system); it is handed to handlers once the transaction commits."""
    _require_transaction()
    declared = event_type(event.event_name)
    # Validated again from its dump: a payload built with model_construct, or of a class
    # that shadows a declared name, is refused here rather than failing in every handler.
    payload = declared.model_validate(dict(event)).model_dump(mode="json")
    row = EventRecord.objects.create(
        name=event.event_name,
        record_type=record._meta.label_lower,
        record_id=record.pk,
        actor_id=getattr(actor, "pk", None),
        payload=payload,
        occurred_at=timezone.now(),
    )
    _dispatch_after_commit()
    return row


def publish_selected(
    declared: type[DomainEvent],
    *,
    actor,
    record_model: type[models.Model],
    rows: models.QuerySet,
    shared: dict[str, int | str | list] | None = None,
) -> int:
    """Record one ``declared`` event per row of ``rows`` in one statement; returns how many.

    ``rows`` is a ``values()`` query with a ``record_id`` column (the pk of a
    ``record_model`` row) and one column per payload field not in ``shared`` (payload
    values every event has alike); a field with a default may be left out, and takes it.
    The columns are checked against the declared fields here; the values when each event
    is dispatched.
    """
    _require_transaction()
    shared = shared or {}
    columns = [*rows.query.values_select, *rows.query.annotation_select]
    declared_fields = declared.model_fields
    required = sorted(n for n, f in declared_fields.items() if f.is_required())
    given = {*columns, *shared} - {"record_id"}
    if "record_id" not in columns or not set(required) <= given <= set(declared_fields):
        raise ValueError(
            f"{declared.event_name} needs columns record_id and {required}"
            f" (may have {sorted(set(declared_fields) - set(required))})"
        )
    fields = sorted(given)
    sql, params = rows.order_by().query.sql_with_params()
    pg = connection.vendor == "postgresql"
    quote = connection.ops.quote_name
    payload = [f"'{name}', q.{quote(name)}" for name in fields if name not in shared]
    # PostgreSQL types a bare parameter in a SELECT list as text; the casts say what it is.
    payload += [f"'{name}', {_shared_sql(value, pg)}" for name, value in shared.items()]
    name, record_type, actor_id, occurred_at = (f"%s{c if pg else ''}" for c in _PG_CASTS)
    insert = (
        f"INSERT INTO {quote(EventRecord._meta.db_table)}"
        " (name, record_type, record_id, actor_id, payload, occurred_at)"
        f" SELECT {name}, {record_type}, q.record_id, {actor_id},"
        f" {'jsonb_build_object' if pg else 'json_object'}({', '.join(payload)}), {occurred_at}"
        f" FROM ({sql}) q ORDER BY q.record_id"
    )
    now = EventRecord._meta.get_field("occurred_at").get_db_prep_save(timezone.now(), connection)
    head = [declared.event_name, record_model._meta.label_lower, getattr(actor, "pk", None)]
    with connection.cursor() as cursor:
        shared_values = [json.dumps(v) if isinstance(v, list) else v for v in shared.values()]
        cursor.execute(insert, [*head, *shared_values, now, *params])
        count = cursor.rowcount
    if count:
        _dispatch_after_commit()
    return count


def _shared_sql(value: int | str | list, pg: bool) -> str:
    # A list (of names or ids) goes as JSON text the database parses into the payload.
    if isinstance(value, list):
        return "%s::jsonb" if pg else "json(%s)"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError("shared payload values are numbers, text or lists")
    if not pg:
        return "%s"
    return "%s::bigint" if isinstance(value, int) else "%s::text"


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise NotInTransactionError(
            "publish domain events inside transaction.atomic(), with the change they describe"
        )


def _dispatch_after_commit() -> None:
    if events_config().queue_dispatch:
        # robust: the change is committed and its event safe in the outbox; a queue that
        # cannot take the task now only delays dispatch until the next event or command.
        transaction.on_commit(_queue_dispatch, robust=True)


def _queue_dispatch() -> None:
    from guanxi.core.events.tasks import queue_dispatch  # the task module imports dispatch

    queue_dispatch()
