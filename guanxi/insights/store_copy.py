"""Copies the analysis inputs out of a SQLite store into a DuckDB file, in a process of its own.

DuckDB's SQLite scanner carries its own copy of SQLite, and two copies of SQLite in one
process break each other's locks: POSIX locks belong to the process, so when the scanner
closes the store file, the locks Django's connection holds on it are released as well
(SQLite's "How To Corrupt An SQLite Database File", section 2.2.1). Another process may then
checkpoint and truncate the write-ahead log under a read this process still has open; at 1M
customers a second analysis in one process died with SIGBUS that way. Run as
``python -m guanxi.insights.store_copy`` with a JSON request on standard input, this module
imports neither Django nor Python's ``sqlite3``.
"""

import json
import sys

import duckdb

STORE = "store"


def sql_literal(text: str) -> str:
    """A SQL string literal (DuckDB's ATTACH and LOAD take no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def copy_store(*, database: str, extension: str, target: str, statements: list[str]) -> None:
    """Run ``statements`` in the new DuckDB file ``target``, with the SQLite file ``database``
    attached read-only as ``store`` through the scanner at ``extension``."""
    con = duckdb.connect(target)
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"LOAD {sql_literal(extension)}")
        con.execute(f"ATTACH {sql_literal(database)} AS {STORE} (TYPE sqlite, READ_ONLY)")
        for statement in statements:
            con.execute(statement)
        con.execute(f"DETACH {STORE}")
    finally:
        con.close()


if __name__ == "__main__":
    copy_store(**json.load(sys.stdin))
