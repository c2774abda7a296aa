"""The sweep's queries are served by the partial indexes of open cases' deadlines: on a
store where most cases are closed, as every desk's is, SQLite's planner (the embedded
default) reads each query's own index once it has statistics."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from guanxi.service.case_models import RUNNING, Case

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
QUERIES = {
    "case_open_unwarned": Case.objects.filter(
        RUNNING, warned_at__isnull=True, resolution_warn_at__lte=NOW
    ),
    "case_open_resolution": Case.objects.filter(
        RUNNING, escalation_level=0, resolution_due__lt=NOW
    ),
    "case_open_first_response": Case.objects.filter(
        RUNNING, escalation_level=0, first_responded_at__isnull=True, first_response_due__lt=NOW
    ),
}


@pytest.fixture
def history(make_customer):
    """2,000 closed cases and 20 open ones, and the planner's statistics of them."""
    customer = make_customer("王芳")

    def case(n: int, state: str) -> Case:
        due = NOW + timedelta(hours=n % 48 - 24)
        return Case(
            number=f"H{n}", case_type="inquiry", channel="app", priority="normal",
            customer=customer, subject="咨询", state=state, created_at=NOW, resolution_due=due,
            resolution_warn_at=due - timedelta(hours=1), first_response_due=due,
            first_responded_at=None if state == "new" else due,
            resolved_at=None if state == "new" else due,
        )  # fmt: skip

    Case.objects.bulk_create([case(n, "closed") for n in range(2000)])
    Case.objects.bulk_create([case(n, "new") for n in range(2000, 2020)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan is checked")
@pytest.mark.parametrize("index", QUERIES)
def test_each_sweep_query_reads_its_partial_index(index, history):
    sql, params = QUERIES[index].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert index in plan, plan
