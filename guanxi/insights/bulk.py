"""Bulk inserts of Arrow tables into the store, inside the caller's transaction.

``Model.objects.bulk_create`` builds a model instance and SQL text per row: a million scores
took 90 s on SQLite, against 12 s for one ``executemany`` on the raw connection. PostgreSQL
gets the rows as CSV (written by Arrow in C++) through ``COPY``.
"""

import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection
from django.db.models import Model

BATCH_ROWS = 100_000  # bounds the Python objects alive at once on SQLite
_CSV_OPTIONS = pa_csv.WriteOptions(include_header=False)


def insert_arrow(model: type[Model], table: pa.Table) -> int:
    """Insert every row of ``table`` (columns named as the model's database columns)."""
    return insert_arrow_into(model._meta.db_table, table)


def insert_arrow_into(table_name: str, table: pa.Table) -> int:
    """Insert every row of ``table`` into the database table ``table_name``."""
    if table.num_rows == 0:
        return 0
    names = ", ".join(connection.ops.quote_name(c) for c in table.column_names)
    target = connection.ops.quote_name(table_name)
    if connection.vendor == "postgresql":
        buffer = pa.BufferOutputStream()
        pa_csv.write_csv(table, buffer, _CSV_OPTIONS)
        statement = f"COPY {target} ({names}) FROM STDIN WITH (FORMAT csv)"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            copy.write(buffer.getvalue().to_pybytes())
    else:
        marks = ", ".join("?" for _ in table.column_names)
        statement = f"INSERT INTO {target} ({names}) VALUES ({marks})"
        connection.ensure_connection()
        for batch in table.to_batches(BATCH_ROWS):
            columns = [column.to_pylist() for column in batch.columns]
            connection.connection.executemany(statement, zip(*columns, strict=True))
    return table.num_rows
