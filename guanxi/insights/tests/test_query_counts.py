"""The analytics dashboard takes a fixed number of queries, however many customers were scored."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of_dashboard(client) -> int:
    assert client.get("/analytics/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/analytics/").status_code == 200
    return len(queries)


def test_the_dashboard_takes_the_same_queries_for_few_and_many_scored_customers(
    client, staff, make_customer, fabricated_run
):
    client.force_login(staff["account_manager"])
    few = [make_customer(f"客户{n}") for n in range(2)]
    fabricated_run(few)  # a run before: the pyramid migration has something to compare with
    fabricated_run(few, warn={c.pk for c in few})
    with_few = queries_of_dashboard(client)
    many = [make_customer(f"顾客{n}") for n in range(20)]
    fabricated_run(few + many, warn={c.pk for c in many[:10]})
    # The churn list's audit entry: with the customers it names, one statement on
    # PostgreSQL, two on SQLite.
    list_audit = 1 if connection.vendor == "postgresql" else 2
    # Two of them find the run before and count the pyramid migration since it; one sums
    # the run cells of every kept run for the trends.
    assert queries_of_dashboard(client) == with_few == 10 + list_audit
