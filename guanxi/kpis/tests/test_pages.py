"""The KPI dashboard page: the figures, the HTMX fragment, its query checks and its reach."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.kpis.tests.conftest import activity, customer, opportunity

URL = "/kpis/"
Q2 = {"period_start": "2026-04-01", "period_end": "2026-06-30"}


@pytest.fixture
def as_role(client, staff):
    def login(role: str):
        client.force_login(staff[role])
        return client

    return login


def test_the_dashboard_shows_the_groups_figures_and_the_total(as_role, staff, quarter):
    page = as_role("branch_manager").get(URL, Q2).content.decode()
    assert 'id="kpi-groups"' in page
    assert f'data-group="{staff["account_manager"].pk}"' in page
    assert f'data-group="{staff["south_manager"].pk}"' not in page
    assert "李经理" in page and "2 / 6.1" in page  # the account manager's platinum contacts


def test_an_htmx_request_gets_only_the_results(as_role, quarter):
    response = as_role("admin").get(URL, Q2, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="kpi-results">')
    assert "<html" not in text


def test_a_bad_period_shows_its_error_over_this_month(as_role, quarter):
    page = as_role("admin").get(URL, {"period_start": "2026-05-01", "period_end": "2026-04-01"})
    assert page.status_code == 200
    assert 'id="kpi-errors"' in page.content.decode()


def test_a_colleague_out_of_reach_is_not_offered_and_refused(as_role, staff, quarter):
    page = as_role("account_manager").get(URL, {**Q2, "owner": staff["other_manager"].pk})
    text = page.content.decode()
    assert 'id="kpi-errors"' in text
    assert f'data-group="{staff["other_manager"].pk}"' not in text


def test_the_page_speaks_chinese(as_role, quarter):
    client = as_role("admin")
    page = client.get(URL, Q2, headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "过程指标" in page


def test_roles_without_process_kpis_get_a_403(as_role):
    assert as_role("marketer").get(URL).status_code == 403


def test_the_analytics_page_links_to_the_dashboard(as_role):
    assert 'id="tab-process-kpis"' in as_role("analyst").get("/analytics/").content.decode()


def queries_of(client, params: dict) -> int:
    assert client.get(URL, params).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


def test_the_page_takes_the_same_queries_for_more_rows(as_role, make_customer, staff, org, quarter):
    client = as_role("branch_manager")
    few = queries_of(client, Q2)
    for n in range(5):
        more = customer(make_customer, f"加客{n}", "gold", staff["other_manager"], org["north"])
        activity("call", more, "2026-05-03")
        opportunity(more, [("information", "2026-04-03"), ("lost", "2026-04-30")])
    assert queries_of(client, Q2) == few
