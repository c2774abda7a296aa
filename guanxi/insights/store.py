"""DuckDB reads the operational store directly: the SQLite file or the PostgreSQL server.

DuckDB cannot download extensions here, so the scanners come from the PyPI packages
``duckdb-extension-sqlite-scanner`` and ``duckdb-extension-postgres-scanner`` (their version
must equal DuckDB's) and are loaded by file path.

:func:`snapshot` copies what the analysis needs into DuckDB tables once, then detaches the
store: every later step reads one consistent snapshot, the store is scanned once instead of
once per step, and no read transaction stays open on it while results are written back. A
SQLite store is copied by a child process (:mod:`guanxi.insights.store_copy` says why) into
a DuckDB file in a temporary folder; a PostgreSQL store is copied in memory, in process.
"""

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb
from django.conf import settings
from django.db import connection

from guanxi.customers.models import (
    Contact,
    Customer,
    Holding,
    LifecycleChange,
    Product,
    Transaction,
)
from guanxi.insights.store_copy import STORE, sql_literal


def extension_path(name: str) -> str:
    """File path of a DuckDB extension shipped by the ``duckdb-extension-<name>`` package."""
    package = "duckdb_extension_" + name.replace("-", "_")
    file = resources.files(package) / "extensions" / f"v{duckdb.__version__}"
    return str(file / f"{name.replace('-', '_')}.duckdb_extension")


def _libpq_dsn(db: dict) -> str:
    """A libpq connection string for the database Django uses right now (the test database
    too, since pytest-django renames it at run time)."""
    parts = {
        "dbname": db["NAME"],
        "host": db.get("HOST"),
        "port": db.get("PORT"),
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
    }
    return " ".join(f"{key}='{_libpq_quote(str(value))}'" for key, value in parts.items() if value)


def _libpq_quote(value: str) -> str:
    """A value for inside single quotes of a libpq connection string."""
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _attach_postgres(con: duckdb.DuckDBPyConnection) -> None:
    """Attach Django's PostgreSQL database to ``con`` as ``store``, read-only."""
    con.execute(f"LOAD {sql_literal(extension_path('postgres-scanner'))}")
    dsn = sql_literal(_libpq_dsn(connection.settings_dict))
    con.execute(f"ATTACH {dsn} AS {STORE} (TYPE postgres, READ_ONLY)")


def _table(model) -> str:
    return f"{STORE}.{model._meta.db_table}"


def _snapshot_statements() -> list[str]:
    """CREATE TABLE statements copying the analysis inputs out of the attached store."""
    # SQLite keeps Django's UTC datetimes as naive text; casting with DuckDB's time zone set
    # to UTC reads them as UTC, and PostgreSQL's timestamptz is UTC already. Purchase days
    # must be local days, so times are shifted into the configured time zone.
    local_time = f"timezone('{settings.TIME_ZONE}', occurred_at::TIMESTAMPTZ)"
    local_day = f"timezone('{settings.TIME_ZONE}', {{}}::TIMESTAMPTZ)::DATE"
    return [
        f"CREATE TABLE products AS SELECT id AS product_id, code, name, kind"
        f" FROM {_table(Product)}",
        # The product kind and channel give each transaction's margin and cost to serve.
        f"CREATE TABLE transactions AS SELECT t.customer_id, {local_time} AS occurred_at,"
        f" t.amount::DOUBLE AS amount, t.channel, p.kind"
        f" FROM {_table(Transaction)} t LEFT JOIN products p ON p.product_id = t.product_id",
        f"CREATE TABLE customers AS SELECT id AS customer_id, branch_id, owner_id, status,"
        f" source_channel, value_tier FROM {_table(Customer)}",
        f"CREATE TABLE holdings AS SELECT h.customer_id, h.product_id, h.opened_at, p.kind,"
        f" h.balance::DOUBLE AS balance FROM {_table(Holding)} h"
        " JOIN products p USING (product_id) WHERE h.closed_at IS NULL",
        *_churn_model_statements(local_day),
    ]


def _churn_model_statements(local_day: str) -> list[str]:
    """The churn model's feature inputs (:class:`~guanxi.analytics.churn.StoreTables`):
    every holding with its product kind and dates, contact persons, lifecycle moves and the
    customers' creation days."""
    return [
        "CREATE TABLE holding_history AS SELECT h.customer_id, p.kind, h.opened_at::DATE AS"
        " opened_at, h.closed_at::DATE AS closed_at, h.balance::DOUBLE AS balance"
        f" FROM {_table(Holding)} h JOIN {_table(Product)} p ON p.id = h.product_id",
        f"CREATE TABLE contacts AS SELECT customer_id FROM {_table(Contact)}",
        "CREATE TABLE lifecycle AS SELECT customer_id, from_status, to_status,"
        f" {local_day.format('changed_at')} AS changed_at FROM {_table(LifecycleChange)}",
        f"CREATE TABLE customer_days AS SELECT id AS customer_id, status,"
        f" {local_day.format('created_at')} AS created_at FROM {_table(Customer)}",
    ]


@contextmanager
def snapshot() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB holding a snapshot of the store's analysis inputs.

    Tables: ``transactions`` (customer_id, occurred_at local, amount, channel, product kind),
    ``customers`` (customer_id, branch_id, owner_id, status, source_channel, value_tier),
    ``holdings``
    (open ones: customer_id, product_id, opened_at, kind, balance), ``products``
    (product_id, code, name, kind), and the churn model's ``holding_history``,
    ``contacts``, ``lifecycle`` and ``customer_days``.
    """
    if connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="guanxi-snapshot-") as folder:
            target = Path(folder) / "snapshot.duckdb"
            _copy_sqlite_store(target)
            con = duckdb.connect(target)
            try:
                con.execute("SET TimeZone = 'UTC'")
                yield con
            finally:
                con.close()
    elif connection.vendor == "postgresql":
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            _attach_postgres(con)
            for statement in _snapshot_statements():
                con.execute(statement)
            con.execute(f"DETACH {STORE}")
            yield con
        finally:
            con.close()
    else:
        raise RuntimeError(f"analytics cannot read a {connection.vendor} store")


def _copy_sqlite_store(target: Path) -> None:
    """Copy the SQLite store's analysis inputs into the DuckDB file ``target`` from a child
    process, so DuckDB's copy of SQLite never opens the store file in this one."""
    request = {
        "database": str(connection.settings_dict["NAME"]),
        "extension": extension_path("sqlite-scanner"),
        "target": str(target),
        "statements": _snapshot_statements(),
    }
    child = subprocess.run(
        [sys.executable, "-m", "guanxi.insights.store_copy"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise RuntimeError(f"copying the store for analysis failed: {child.stderr[-2000:]}")
