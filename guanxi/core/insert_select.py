"""Inserting one row per row of a query in a single INSERT ... SELECT.

For changes made in bulk (a portfolio of thousands of customers handed over) whose history
rows must not cost a statement per record, nor a Python object each; Django's
``bulk_create`` still sends the rows through Python, in batches on SQLite.
"""

from typing import Any

from django.db import connection, models


def insert_selected(
    model: type[models.Model], rows: models.QuerySet, shared: dict[str, Any] | None = None
) -> int:
    """Insert a ``model`` row per row of ``rows``; returns how many.

    ``rows`` is a ``values(name=expression, ...)`` query whose names are attribute names of
    ``model``'s fields; ``shared`` gives the fields every row has alike (prepared as the
    field prepares a value it saves).
    """
    shared = shared or {}
    fields: dict[str, models.Field] = {
        f.attname: f for f in model._meta.concrete_fields if isinstance(f, models.Field)
    }
    columns = [*rows.query.values_select, *rows.query.annotation_select]
    unknown = sorted({*columns, *shared} - set(fields))
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {unknown}")
    sql, params = rows.order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    # PostgreSQL types a bare parameter in a SELECT list as text: each says what it is.
    pg = connection.vendor == "postgresql"
    placeholders = [
        f"CAST(%s AS {fields[name].db_type(connection)})" if pg else "%s" for name in shared
    ]
    names = ", ".join(quote(fields[name].column) for name in [*columns, *shared])
    selected = ", ".join([*(f"q.{quote(c)}" for c in columns), *placeholders])
    values = [fields[name].get_db_prep_save(value, connection) for name, value in shared.items()]
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({names}) SELECT {selected} FROM ({sql}) q"
    with connection.cursor() as cursor:
        cursor.execute(insert, [*values, *params])
        return cursor.rowcount
