"""Database triggers that make the audit tables append-only.

SQLite aborts the statement with ``RAISE(ABORT, ...)``; PostgreSQL calls a plpgsql function
that raises. Both refuse every UPDATE and DELETE, whoever sends it (the ORM, raw SQL, a
database shell).

PostgreSQL's TRUNCATE fires no row triggers: it stays possible for the database owner (and
for the test suite's flush, which truncates). On SQLite, rebuilding a table drops its
triggers: a later migration that remakes an audit table must run ``create_statements``
again (``test_triggers`` fails if it does not).
"""

TABLES = ("audit_auditentry", "audit_auditsubject")
MESSAGE = "the audit log is append-only"


def _name(table: str, operation: str) -> str:
    return f"{table}_no_{operation.lower()}"


def create_statements(vendor: str) -> list[str]:
    """The SQL that installs the triggers on ``vendor`` ("sqlite" or "postgresql")."""
    if vendor == "postgresql":
        function = (
            "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN"
            f" RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME;"
            " END $$"
        )
        return [function] + [
            f"CREATE TRIGGER {_name(table, 'change')} BEFORE UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
            for table in TABLES
        ]
    return [
        f"CREATE TRIGGER {_name(table, operation)} BEFORE {operation} ON {table}"
        f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        for table in TABLES
        for operation in ("UPDATE", "DELETE")
    ]


def drop_statements(vendor: str) -> list[str]:
    """The SQL that removes the triggers again (migrating backwards)."""
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {_name(t, 'change')} ON {t}" for t in TABLES] + [
            "DROP FUNCTION IF EXISTS audit_refuse_change()"
        ]
    return [
        f"DROP TRIGGER IF EXISTS {_name(table, operation)}"
        for table in TABLES
        for operation in ("UPDATE", "DELETE")
    ]
