"""My day and the activity list take a fixed number of queries, whatever the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone


def queries_of(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def busy_day(make_customer, log):
    def add(count: int, start: int = 0) -> None:
        for n in range(start, start + count):
            customer = make_customer(f"客户{n}", value_tier="platinum")
            log(customer, kind="task", subject="准备方案", due_on=timezone.localdate())
            log(customer, kind="call", subject="回访")

    return add


@pytest.mark.parametrize("url", ["/api/v1/my-day", "/activities/my-day/", "/activities/"])
def test_the_page_takes_the_same_queries_for_more_rows(url, busy_day, api_as, client, staff):
    if url.startswith("/api/"):
        reader = api_as("account_manager")
    else:
        client.force_login(staff["account_manager"])
        reader = client
    busy_day(2)
    few = queries_of(reader, url)
    busy_day(8, start=2)
    assert queries_of(reader, url) == few


def test_my_day_takes_ten_queries_before_any_analysis_run(busy_day, api_as):
    # Agenda (its items' ids, then the items), overdue (the dated ids and the undated ids;
    # nothing is overdue, so no items to read), the two latest runs (none: no
    # scores to read), the stored contact rules, the neglected customers (one query per
    # ruled tier, top first, until a section's worth are found), the leads waiting (their
    # ids; none, so no rows to read), and birthdays (none today: nothing to audit).
    busy_day(3)
    assert queries_of(api_as("account_manager"), "/api/v1/my-day") == 10
