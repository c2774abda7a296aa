"""Hot reads take a fixed number of queries, whatever the data: the 360 and the list.

Each read is made once first, so that what is remembered per process (the API token,
compiled queries) is not counted; the counts are then exact, so a read that starts querying
per row or per group fails here.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now


def list_audit() -> int:
    """Statements of the audit entry of a list page: PostgreSQL writes it and the customers
    it names in one, SQLite in two."""
    return 1 if connection.vendor == "postgresql" else 2


# A list page reads its page of rows and its count; the current analysis run's id, read by
# the first request, is remembered for a few seconds (guanxi.insights.current_run).
LIST_READS = 2


def queries_of(client, url: str, params: dict | None = None) -> int:
    assert client.get(url, params or {}).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.fixture
def customers(make_customer, staff):
    made = [make_customer(f"客户{n}", phone=f"1391234{n:04d}") for n in range(12)]
    made.append(make_customer("星河贸易有限公司", kind="organisation", id_number=""))
    return made


@pytest.fixture
def logged_in(client, staff):
    def as_role(role: str):
        client.force_login(staff[role])
        return client

    return as_role


@pytest.mark.parametrize(("role", "count"), [("admin", 10), ("account_manager", 10),
                                            ("marketer", 9)])  # fmt: skip
def test_the_360_api_takes_ten_queries(role, count, api_as, customers):
    # The tenth: the customer's activities on the timeline (guanxi.activities), for the
    # roles that may read them (a marketer may not).
    assert queries_of(api_as(role), f"/api/v1/customers/{customers[0].pk}") == count


@pytest.mark.parametrize("role", ["admin", "account_manager", "marketer"])
def test_a_list_api_page_takes_the_same_queries_for_any_number_of_rows(role, api_as, customers):
    client = api_as(role)
    few = queries_of(client, "/api/v1/customers", {"page_size": 2})
    many = queries_of(client, "/api/v1/customers", {"page_size": 50})
    assert few == many == LIST_READS + list_audit()


def test_a_search_api_page_takes_the_queries_of_a_list_page(api_as, customers):
    assert (
        queries_of(api_as("account_manager"), "/api/v1/customers", {"q": "kehu"})
        == LIST_READS + list_audit()
    )


@pytest.fixture
def scored(customers):
    from guanxi.insights.models import AnalysisRun, CustomerScore

    run = AnalysisRun.objects.create(status="finished", trigger="command", finished_at=now())
    CustomerScore.objects.bulk_create(
        CustomerScore(
            run=run, customer=c, rfm_segment="at_risk", churn_warning=n % 2 == 0, value_at_risk=n
        )
        for n, c in enumerate(customers)
    )
    return run


def test_a_list_api_page_filtered_and_sorted_by_analytics_takes_the_queries_of_a_list_page(
    api_as, scored
):
    params = {"churn_warning": "true", "sort": "-value_at_risk", "segment": "at_risk"}
    assert queries_of(api_as("admin"), "/api/v1/customers", params) == LIST_READS + list_audit()


def test_the_customer_list_page_takes_a_fixed_number_of_queries(logged_in, customers):
    assert queries_of(logged_in("account_manager"), "/customers/") == 7 + LIST_READS + list_audit()


def test_the_customer_360_page_takes_a_fixed_number_of_queries(logged_in, customers):
    client = logged_in("account_manager")
    # 13 for the record, one for the activities timeline source, one for open opportunities.
    assert queries_of(client, f"/customers/{customers[0].pk}/") == 15
