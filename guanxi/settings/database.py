"""The operational store's connection settings, from ``DATABASE_URL`` or the data directory.

Every SQLite database, the default file or one named by ``sqlite:///path``, gets the same
settings from :func:`sqlite_database`, so the two cannot drift apart.
"""

import os
from pathlib import Path

import dj_database_url

SQLITE_ENGINE = "django.db.backends.sqlite3"
POSTGRES_ENGINE = "django.db.backends.postgresql"


def database_from_url(url: str | None, data_dir: Path) -> dict:
    """``DATABASES["default"]``: SQLite at ``data_dir/guanxi.sqlite3`` unless ``url`` names one."""
    if not url:
        return sqlite_database(data_dir / "guanxi.sqlite3")
    parsed = dj_database_url.parse(url)
    if parsed["ENGINE"] == SQLITE_ENGINE:
        return sqlite_database(Path(parsed["NAME"]))
    db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if (
        db["ENGINE"] == POSTGRES_ENGINE
        and os.environ.get("GUANXI_PG_PREPARED_STATEMENTS", "1") == "1"
    ):
        # Parameters travel separately from the SQL and statements a connection runs
        # again and again are prepared once: PostgreSQL then skips parsing and, for the
        # fixed-shape reads of the 360 view, planning, which were half its work per read.
        # And no JIT compiling: its 50 ms or so per query is spent on reads that take
        # tens of milliseconds (a pooler, the other case, may refuse startup options too).
        db.setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5, options="-c jit=off"
        )
    return dict(db)


def sqlite_database(path: Path) -> dict:
    """A SQLite file in WAL mode whose writers queue; tests use a file beside it."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": SQLITE_ENGINE,
        "NAME": path,
        "OPTIONS": {
            # WAL lets readers proceed while one writer commits; IMMEDIATE takes the write
            # lock at BEGIN so concurrent writers queue instead of failing mid-transaction.
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=10000;PRAGMA cache_size=-65536;PRAGMA mmap_size=1073741824;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # A connection kept per worker skips reopening the file, rereading the schema and
        # rewarming the page cache on every request.
        "CONN_MAX_AGE": 600,
        # Tests use a real file (one per process): an in-memory database fails at once on
        # lock contention instead of waiting, which hides how the product really behaves.
        "TEST": {"NAME": str(path.parent / f"test-{os.getpid()}.sqlite3")},
    }
