"""Migrations of the insights app: the score history table is never rebuilt."""

from io import StringIO

from django.core.management import call_command
from django.db import connection


def test_the_call_list_columns_are_added_without_rebuilding_the_score_table(transactional_db):
    out = StringIO()
    call_command("sqlmigrate", "insights", "0002", stdout=out)

    sql = out.getvalue()
    assert sql.count("ADD COLUMN") == 4
    assert "CREATE TABLE" not in sql  # SQLite rebuilds a table to add a NOT NULL column


def test_the_churn_list_reads_the_call_list_index(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "insights_customerscore")

    columns = {name: tuple(c["columns"]) for name, c in constraints.items() if c["index"]}
    assert columns["score_run_call_list"] == (
        "run_id", "churn_warning", "churn_priority", "churn_rank"
    )  # fmt: skip


def test_scores_and_suggestions_keep_no_single_column_index_a_composite_one_serves(db):
    for table, served in (
        ("insights_customerscore", ("customer_id", "run_id")),
        ("insights_crosssellsuggestion", ("customer_id",)),
    ):
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, table)
        indexed = [tuple(c["columns"]) for c in constraints.values() if c["index"]]
        for column in served:
            assert (column,) not in indexed, (table, column)
            assert any(len(cols) > 1 and cols[0] == column for cols in indexed), (table, column)


def test_dropping_the_duplicate_indexes_does_not_rebuild_a_table(transactional_db):
    out = StringIO()
    call_command("sqlmigrate", "insights", "0008", stdout=out)

    sql = out.getvalue()
    assert sql.count("DROP INDEX") == 3 and "CREATE TABLE" not in sql


def test_the_upgrade_keeps_the_latest_runs_warnings_the_run_before_did_not_raise(db, make_customer):
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps
    from django.utils import timezone

    from guanxi.insights.models import AnalysisRun, CustomerScore, NewChurnWarning

    upgrade = import_module("guanxi.insights.migrations.0013_new_churn_warnings")
    still, new = make_customer("老预警"), make_customer("新预警")
    for day, warned in ((1, [still]), (0, [still, new])):
        run = AnalysisRun.objects.create(
            status="finished", finished_at=timezone.now() - timezone.timedelta(days=day)
        )
        CustomerScore.objects.bulk_create(
            CustomerScore(run=run, customer=c, churn_warning=True, churn_severity=3) for c in warned
        )

    # The step uses only the editor's connection (SQLite opens no editor inside a test's
    # transaction).
    upgrade.latest_runs_new_warnings(apps, SimpleNamespace(connection=connection))

    kept = NewChurnWarning.objects.get()
    assert (kept.run_id, kept.customer_id, kept.severity) == (run.pk, new.pk, 3)
    assert (kept.branch_id, kept.owner_id) == (new.branch_id, new.owner_id)
