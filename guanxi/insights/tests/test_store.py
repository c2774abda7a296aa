"""The store snapshot: what the analysis copies out of the store, and what copying leaves alone."""

import subprocess
import sys

import pytest
from django.db import connection, transaction

from guanxi.customers.models import Customer
from guanxi.insights import store


def _checkpoint_from_another_process(path: str) -> int:
    """Try to truncate the store's write-ahead log from another process; 1 when it was busy
    (some connection's lock stood in the way), 0 when it truncated the log."""
    script = (
        "import sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1], timeout=0)\n"
        "print(con.execute('PRAGMA wal_checkpoint(TRUNCATE)').fetchone()[0])\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", script, path], capture_output=True, text=True, check=True
    )
    return int(child.stdout)


def test_the_snapshot_holds_the_store_s_committed_customers_and_transactions(demo_store):
    with store.snapshot() as con:
        customers = con.execute("SELECT count(*) FROM customers").fetchone()[0]
        buyers = con.execute("SELECT count(DISTINCT customer_id) FROM transactions").fetchone()[0]
    assert customers == len(demo_store)
    assert 0 < buyers <= customers


def test_copying_a_sqlite_store_leaves_this_process_s_locks_on_it_in_place(demo_store):
    if connection.vendor != "sqlite":
        pytest.skip("DuckDB reads PostgreSQL over the network, not through a second SQLite")
    path = str(connection.settings_dict["NAME"])
    with transaction.atomic():
        Customer.objects.filter(pk=demo_store[0].pk).update(name="改名客户")
        with store.snapshot():
            pass
        # Had a second copy of SQLite in this process opened and closed the file, the
        # process's locks would be gone and the other process would truncate the log under
        # this open transaction.
        assert _checkpoint_from_another_process(path) == 1
    assert _checkpoint_from_another_process(path) == 0
