"""The dashboard of a branch manager or an account manager reads the charts the run kept for
their branch or portfolio; anyone else's are computed from the scores in their scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.insights.charts import CHART_COLUMNS, build_charts
from guanxi.insights.models import ScopeCharts
from guanxi.insights.scope_charts import COUNT
from guanxi.web.tests.support import client_for

DASHBOARD = reverse("analytics:list")


@pytest.fixture
def kept_run(make_customer, staff, org, fabricated_run):
    """A run of three customers of the north branch's account manager, which kept (made-up)
    charts for the branch and for the account manager."""
    run = fabricated_run([make_customer(f"客户{n}") for n in range(3)])
    charts = {**build_charts({c: [] for c in CHART_COLUMNS}), "pyramid_migration": None}
    ScopeCharts.objects.create(run=run, branch=org["north"], charts={**charts, "customers": 701})
    ScopeCharts.objects.create(
        run=run, owner=staff["account_manager"], charts={**charts, "customers": 702}
    )
    run.counts[COUNT] = 2
    run.save(update_fields=["counts"])
    return run


def shown_customers(user) -> int:
    page = client_for(user).get(DASHBOARD)
    assert page.status_code == 200
    return page.context["charts"]["customers"]


def test_a_branch_manager_sees_the_charts_the_run_kept_for_their_branch(staff, kept_run):
    assert shown_customers(staff["branch_manager"]) == 701


def test_an_account_manager_sees_the_charts_the_run_kept_for_their_portfolio(staff, kept_run):
    assert shown_customers(staff["account_manager"]) == 702


def test_a_team_leads_charts_are_computed_from_the_scores_of_their_team(staff, kept_run):
    assert shown_customers(staff["team_lead"]) == 3


def test_a_run_that_kept_no_charts_for_scopes_has_them_computed(staff, kept_run):
    kept_run.counts.pop(COUNT)
    kept_run.save(update_fields=["counts"])
    assert shown_customers(staff["branch_manager"]) == 3


def test_a_branch_managers_dashboard_reads_the_kept_charts_in_a_fixed_number_of_queries(
    staff, kept_run
):
    client = client_for(staff["branch_manager"])
    assert client.get(DASHBOARD).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).context["charts"]["customers"] == 701
    sql = [q["sql"] for q in queries]
    # Session, user, profile, the run and the run before, the kept charts, the churn list
    # and the trends' run cells: the scores are read for the churn list only.
    assert len(sql) == 8
    assert sum("insights_scopecharts" in q for q in sql) == 1
    assert sum('FROM "insights_customerscore"' in q for q in sql) == 1
