"""A small demo data set loaded once per test module, and helpers to read it."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from guanxi.demo.loader import LOADED_MODELS as LOADED


def schema_definitions() -> set[tuple[str, str]]:
    """(name, definition) of the indexes and PostgreSQL foreign keys of the loaded tables.

    SQLite keeps foreign keys inside the table definition, which the loader never touches.
    """
    tables = [m._meta.db_table for m in LOADED]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
                " UNION SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid::regclass::text = ANY(%s)",
                [tables, tables],
            )
        else:
            marks = ", ".join("%s" for _ in tables)
            cursor.execute(
                "SELECT name, sql FROM sqlite_master"
                f" WHERE tbl_name IN ({marks}) AND sql IS NOT NULL",
                tables,
            )
        return set(cursor.fetchall())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> dict:
    """300 bank customers with two years of history, plus their Parquet export and the
    generator's truth."""
    parquet = Path(tmp_path_factory.mktemp("parquet"))
    truth = parquet / "truth.parquet"
    with django_db_blocker.unblock():
        before = schema_definitions()
        call_command(
            "demo_data",
            customers=300,
            months=24,
            seed=7,
            parquet_dir=parquet,
            truth=truth,
            verbosity=0,
        )
        yield {"parquet": parquet, "truth": truth, "schema_before": before}
        call_command("flush", interactive=False, verbosity=0)
