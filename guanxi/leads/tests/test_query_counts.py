"""The lead list and detail take a fixed number of queries, whatever the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/api/v1/leads", "/leads/", "/leads/?source=walk_in&q=王"])
def test_the_lead_list_takes_the_same_queries_for_more_rows(url, make_lead, api_as, client, staff):
    if url.startswith("/api/"):
        reader = api_as("team_lead")
    else:
        client.force_login(staff["team_lead"])
        reader = client
    for n in range(2):
        make_lead(f"王{n}", phone=f"1390000{n:04d}")
    few = queries_of(reader, url)
    for n in range(2, 12):
        make_lead(f"王{n}", phone=f"1390000{n:04d}")
    assert queries_of(reader, url) == few


def test_the_lead_page_takes_the_same_queries_for_a_longer_history(make_lead, client, staff):
    from guanxi import policy
    from guanxi.leads import services
    from guanxi.leads.tests.conftest import CONTEXT

    lead = make_lead()
    client.force_login(staff["account_manager"])
    url = f"/leads/{lead.pk}/"
    few = queries_of(client, url)
    viewer = policy.Viewer.of(staff["account_manager"])
    for status, version in (("contacted", 1), ("kept", 2), ("contacted", 3)):
        services.lead_change_status(
            viewer=viewer, lead_id=lead.pk, status=status, reason="等等",
            expected_version=version, context=CONTEXT,
        )  # fmt: skip
    assert queries_of(client, url) == few
