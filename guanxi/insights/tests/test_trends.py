"""The dashboard's trends across runs: the viewer's run cells of every kept run, summed."""

import datetime as dt

import pytest
from django.utils import timezone

from guanxi import policy
from guanxi.insights.models import AnalysisRun, RunCell, RunStatus, RunTrigger
from guanxi.insights.trend_selectors import run_trend_list_for_user
from guanxi.web.tests.support import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(staff, org):
    """Two finished runs a day apart with cells of the account manager and the south, and a
    failed run whose cells must not count."""
    made = []
    for days_ago, status in ((2, RunStatus.FINISHED), (1, RunStatus.FINISHED), (0, "failed")):
        run = AnalysisRun.objects.create(
            status=status,
            trigger=RunTrigger.COMMAND,
            finished_at=timezone.now() - dt.timedelta(days=days_ago),
        )
        n = len(made) + 1
        for branch, owner, tier, customers in (
            (org["north"], staff["account_manager"], "gold", 2 * n),
            (org["north"], staff["account_manager"], "standard", 3),
            (org["south"], staff["south_manager"], "gold", 50),
        ):
            RunCell.objects.create(
                run=run, branch=branch, owner=owner, value_tier=tier, pyramid_level="B",
                customers=customers, churn_warnings=1, churn_calls=n % 2,
                score_sum=10.0 * customers, scored=customers,
            )  # fmt: skip
        # the company's row, what the run writes for company-wide viewers
        RunCell.objects.create(run=run, value_tier="gold", pyramid_level="B",
                               customers=50 + 2 * n + 3, score_sum=0.0, scored=0)  # fmt: skip
        made.append(run)
    return made


def test_an_account_manager_sees_the_trend_of_their_own_portfolio(runs, staff):
    trend = run_trend_list_for_user(viewer=policy.Viewer.of(staff["account_manager"]))

    assert trend["runs"] == [runs[0].pk, runs[1].pk]  # oldest first; the failed run left out
    counts = {series["name"]: series["data"] for series in trend["counts"]}
    assert list(counts.values()) == [[5, 7], [2, 2], [2, 0]]  # scored, warned, to call
    assert trend["mean_score"]["data"] == [10.0, 10.0]
    assert [s["data"] for s in trend["tiers"]] == [[2, 4], [3, 3]]  # gold, standard


def test_a_company_viewer_sees_every_branch_in_the_trend(runs, staff):
    trend = run_trend_list_for_user(viewer=policy.Viewer.of(staff["analyst"]))

    assert trend["counts"][0]["data"] == [55, 57]
    assert trend["levels"][0]["data"] == [55, 57]


def test_a_viewer_without_cells_in_scope_gets_no_trend(runs, staff):
    assert run_trend_list_for_user(viewer=policy.Viewer.of(staff["other_manager"])) is None


def test_the_dashboard_draws_the_trend_chart(runs, staff):
    response = client_for(staff["account_manager"]).get("/analytics/")

    assert response.status_code == 200
    assert response.context["trends"]["counts"][0]["data"] == [5, 7]
    assert 'id="chart-trend-counts"' in response.content.decode()
