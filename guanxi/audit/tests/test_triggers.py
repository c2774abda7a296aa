"""The database itself refuses to change or delete audit rows, on SQLite and PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from guanxi.audit.models import AuditAction, AuditEntry, AuditSubject
from guanxi.audit.services import RequestContext, record

STATEMENTS = {
    "update entry": "UPDATE audit_auditentry SET purpose = 'tampered'",
    "delete entry": "DELETE FROM audit_auditentry",
    "update subject": "UPDATE audit_auditsubject SET customer_id = 999",
    "delete subject": "DELETE FROM audit_auditsubject",
}


def log(staff) -> None:
    record(staff["marketer"], AuditAction.READ, "customer", [1, 2], ["name"], RequestContext())


def run_raw(sql: str) -> None:
    # A savepoint: on PostgreSQL a failed statement spoils the transaction around it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.parametrize("name", STATEMENTS)
def test_raw_sql_cannot_change_the_log(staff, name):
    log(staff)
    with pytest.raises(DatabaseError, match="append-only"):
        run_raw(STATEMENTS[name])
    assert list(AuditEntry.objects.values_list("purpose", flat=True)) == [""]
    assert sorted(AuditSubject.objects.values_list("customer_id", flat=True)) == [1, 2]


def test_inserting_still_works(staff):
    log(staff)
    log(staff)
    assert AuditEntry.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_test_flush_empties_the_log_and_keeps_the_triggers(staff):
    # Transactional tests end with a flush (DELETE on SQLite, TRUNCATE on PostgreSQL).
    log(staff)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists() and not AuditSubject.objects.exists()
    record(None, AuditAction.READ, "customer", [1], [], RequestContext())
    with pytest.raises(DatabaseError, match="append-only"):
        run_raw(STATEMENTS["delete entry"])
