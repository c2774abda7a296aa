"""Fast bulk loading into the operational store: executemany on SQLite, COPY on PostgreSQL.

Secondary indexes of the loaded tables are dropped before the load and recreated from their
own saved definitions afterwards (one sort per index instead of millions of random B-tree
inserts), so the final schema is exactly the migrated one.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Model

from guanxi.demo.tables import Column, Kind, Table

# SQLite stores Django datetimes and dates as ISO text; its date functions write exactly that.
_SQLITE_EXPRESSION = {
    Kind.TIMESTAMP: "datetime(?, 'unixepoch')",
    Kind.DATE: "date(?, 'unixepoch')",
}
_CSV_OPTIONS = pa_csv.WriteOptions(include_header=False)


def is_postgresql() -> bool:
    """Whether the default database is PostgreSQL (else SQLite)."""
    return connection.vendor == "postgresql"


def write(table: Table) -> None:
    """Insert a table's rows inside the current transaction."""
    if len(table):
        (_copy if is_postgresql() else _insert)(table)


def _copy(table: Table) -> None:
    """PostgreSQL: stream the rows as CSV (written by Arrow in C++) through COPY."""
    buffer = pa.BufferOutputStream()
    pa_csv.write_csv(table.arrow(), buffer, _CSV_OPTIONS)
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    statement = f'COPY "{table.name}" ({names}) FROM STDIN WITH (FORMAT csv)'
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        copy.write(buffer.getvalue().to_pybytes())


def _insert(table: Table) -> None:
    """SQLite: one executemany on the raw sqlite3 connection, bypassing Django's cursor."""
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    placeholders = ", ".join(_SQLITE_EXPRESSION.get(c.kind, "?") for c in table.columns)
    rows = zip(*(_sqlite_values(c) for c in table.columns), strict=True)
    connection.connection.executemany(
        f'INSERT INTO "{table.name}" ({names}) VALUES ({placeholders})', rows
    )


def _sqlite_values(column: Column) -> list:
    """A column as Python values for sqlite3: money in yuan, dates as epoch seconds, None."""
    values = column.values
    if column.kind is Kind.MONEY:
        values = values / 100
    elif column.kind is Kind.DATE:
        values = values * 86_400  # what date(?, 'unixepoch') reads
    result = values.tolist()
    if column.null is not None:
        for row in np.flatnonzero(column.null).tolist():
            result[row] = None
    return result


def _secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the indexes on the tables that no constraint owns."""
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema()"
                " AND tablename = ANY(%s) AND NOT EXISTS"
                " (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [tables],
            )
        else:
            marks = ", ".join("%s" for _ in tables)
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                f" AND sql IS NOT NULL AND tbl_name IN ({marks})",
                tables,
            )
        return cursor.fetchall()


def _foreign_keys(tables: list[str]) -> list[tuple[str, str, str]]:
    """PostgreSQL: (table, name, definition) of the foreign keys on the tables."""
    if not is_postgresql():
        return []  # SQLite checks nothing while foreign_keys is off (see _fast_session)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        return cursor.fetchall()


@contextmanager
def bulk_load(tables: list[str]) -> Iterator[None]:
    """Prepare the store for a bulk load of empty tables and restore it afterwards.

    PostgreSQL foreign keys are dropped too and added back afterwards: one validating join
    instead of a trigger query per row. Indexes and keys are rebuilt inside the fast session
    (its sort memory and threads help) and even when the load fails, so the schema never
    stays altered.
    """
    indexes = _secondary_indexes(tables)
    keys = _foreign_keys(tables)
    with _fast_session():
        _execute([f'ALTER TABLE "{t}" DROP CONSTRAINT "{name}"' for t, name, _d in keys])
        _execute([f'DROP INDEX "{name}"' for name, _sql in indexes])
        try:
            yield
        finally:
            _execute([sql for _name, sql in indexes])
            _execute([f'ALTER TABLE "{t}" ADD CONSTRAINT "{n}" {d}' for t, n, d in keys])
    if is_postgresql():
        _execute([f"ANALYZE {', '.join(tables)}"])


def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


_FAST = {
    # WAL stays on; only fsync is skipped: a crash mid-load loses the demo data, nothing else.
    "sqlite": (
        ["PRAGMA synchronous = OFF", "PRAGMA temp_store = MEMORY", "PRAGMA threads = 2"],
        ["PRAGMA synchronous = NORMAL", "PRAGMA temp_store = DEFAULT", "PRAGMA threads = 0"],
    ),
    "postgresql": (
        ["SET maintenance_work_mem = '512MB'", "SET synchronous_commit = off"],
        ["RESET maintenance_work_mem", "RESET synchronous_commit"],
    ),
}


@contextmanager
def _fast_session() -> Iterator[None]:
    """Session settings that trade crash safety for speed during the load only.

    On SQLite, foreign keys are not checked row by row either: the generator only refers to
    rows it has written, and tests check the constraints on small loads.
    """
    enter, leave = _FAST[connection.vendor]
    _execute(enter)
    try:
        with connection.constraint_checks_disabled():
            yield
    finally:
        _execute(leave)


def reset_sequences(models_: list[type[Model]]) -> None:
    """Move PostgreSQL id sequences past explicitly inserted ids (SQLite tracks them itself)."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)
