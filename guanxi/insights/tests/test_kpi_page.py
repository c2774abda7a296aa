"""The KPI page: every figure only from the viewer's own cells, summed before dividing."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi.insights.models import AnalysisRun, KpiCell, RunStatus, RunTrigger
from guanxi.web.tests.support import client_for

pytestmark = pytest.mark.django_db
KPIS = reverse("analytics:kpis")
AS_OF = dt.date(2026, 6, 15)
MAY, JUNE = dt.date(2026, 5, 1), dt.date(2026, 6, 1)


@pytest.fixture
def kpi_run(db) -> AnalysisRun:
    return AnalysisRun.objects.create(
        status=RunStatus.FINISHED,
        trigger=RunTrigger.COMMAND,
        finished_at=timezone.now(),
        as_of=AS_OF,
    )


@pytest.fixture
def add_cell(kpi_run):
    def add(branch, owner, period, active, retained=0, revenue=0.0, **more) -> KpiCell:
        return KpiCell.objects.create(
            run=kpi_run,
            period_kind=more.pop("kind", "month"),
            period=period,
            branch=branch,
            owner=owner,
            active_customers=active,
            new_customers=more.pop("new", 0),
            retained_customers=retained,
            revenue=revenue,
            profit=more.pop("profit", revenue),
            products_held=more.pop("products", 0),
            cross_sold=more.pop("cross", 0),
            referred_customers=more.pop("referred", 0),
        )

    return add


@pytest.fixture
def cells(add_cell, staff, org):
    """May and June of the account manager, a colleague in the north and one in the south."""
    north, south = org["north"], org["south"]
    am, colleague, southern = (
        staff["account_manager"],
        staff["other_manager"],
        staff["south_manager"],
    )
    add_cell(north, am, MAY, active=10)
    add_cell(north, am, JUNE, active=8, retained=6, revenue=8000.0, products=16, cross=4,
             new=2, referred=1)  # fmt: skip
    add_cell(north, colleague, MAY, active=30)
    add_cell(north, colleague, JUNE, active=20, retained=15, revenue=10000.0, products=20)
    add_cell(south, southern, MAY, active=60)
    add_cell(south, southern, JUNE, active=40, retained=30, revenue=4000.0, products=40)


def june(response) -> dict:
    (row,) = [r for r in response.context["rows"] if r["period"] == JUNE]
    return row


def test_an_account_manager_sees_only_their_portfolio_figures(cells, staff):
    response = client_for(staff["account_manager"]).get(KPIS)

    assert response.status_code == 200
    row = june(response)
    assert row["active_customers"] == 8
    assert row["retention_rate"] == pytest.approx(6 / 10)
    assert row["churn_rate"] == pytest.approx(4 / 10)
    assert row["products_per_customer"] == 2.0 and row["cross_sell_rate"] == 0.5
    assert row["referral_rate"] == 0.5
    assert row["revenue_per_customer"] == 1000.0
    assert response.context["breakdown"] == [] and not response.context["several"]
    assert "¥1,000.00" in response.content.decode()


def test_a_branch_manager_sees_the_sums_of_their_branch_divided_once(cells, staff):
    row = june(client_for(staff["branch_manager"]).get(KPIS))

    assert row["active_customers"] == 28
    assert row["retention_rate"] == pytest.approx((6 + 15) / (10 + 30))  # not a mean of rates
    assert row["revenue_per_customer"] == pytest.approx(18000 / 28)


def test_a_team_lead_sees_their_teams_portfolios(cells, staff):
    row = june(client_for(staff["team_lead"]).get(KPIS))

    assert row["active_customers"] == 8  # the team: the lead and the first account manager


def test_an_analyst_sees_the_company_and_each_branch(cells, staff, org):
    response = client_for(staff["analyst"]).get(KPIS)

    assert june(response)["active_customers"] == 68
    assert june(response)["retention_rate"] == pytest.approx(51 / 100)
    breakdown = {r["name"]: r for r in response.context["breakdown"]}
    assert breakdown["北京分行"]["active_customers"] == 28
    assert breakdown["上海分行"]["retention_rate"] == pytest.approx(30 / 60)


def test_a_branch_filter_narrows_a_company_viewer_to_one_branch(cells, staff, org):
    response = client_for(staff["analyst"]).get(KPIS, {"branch": org["south"].pk})

    assert june(response)["active_customers"] == 40
    assert response.context["breakdown"] == []


def test_a_branch_filter_cannot_widen_an_account_managers_scope(cells, staff, org):
    response = client_for(staff["account_manager"]).get(KPIS, {"branch": org["south"].pk})

    assert june(response)["active_customers"] == 8


def test_quarters_sum_their_own_cells(add_cell, staff, org):
    add_cell(org["north"], staff["account_manager"], dt.date(2026, 1, 1), active=5, kind="quarter")
    add_cell(org["north"], staff["account_manager"], dt.date(2026, 4, 1), active=4, retained=2,
             kind="quarter")  # fmt: skip

    response = client_for(staff["account_manager"]).get(KPIS, {"period": "quarter"})

    rows = response.context["rows"]
    assert [r["period"] for r in rows][-2:] == [dt.date(2026, 1, 1), dt.date(2026, 4, 1)]
    assert rows[-1]["label"] in ("2026 Q2", "2026年第2季度")  # in the active language
    assert rows[-1]["retention_rate"] == pytest.approx(2 / 5)


def test_the_page_shows_the_last_twelve_months_by_default(cells, staff):
    rows = client_for(staff["account_manager"]).get(KPIS).context["rows"]

    assert [r["label"] for r in rows][0] == "2025-07" and rows[-1]["label"] == "2026-06"
    assert len(rows) == 12


def test_a_malformed_query_shows_the_default_view(cells, staff):
    response = client_for(staff["account_manager"]).get(KPIS, {"period": "week", "branch": "x"})

    assert response.status_code == 200 and response.context["period_kind"] == "month"


@pytest.mark.parametrize("role", ["service_agent", "auditor"])
def test_roles_without_the_page_are_refused(cells, staff, role):
    assert client_for(staff[role]).get(KPIS).status_code == 403


def test_every_kpi_is_defined_on_the_page_in_chinese(cells, staff):
    client = client_for(staff["account_manager"])
    client.cookies["django_language"] = "zh-hans"

    page = client.get(KPIS, HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()

    for text in ("留存率", "流失率", "人均产品数", "交叉销售率", "推荐率", "客均收入", "客均利润"):
        assert text in page
    assert page.count('data-bs-toggle="tooltip"') >= 7


def test_the_page_takes_the_same_queries_for_few_and_many_cells(cells, add_cell, staff, org):
    client = client_for(staff["analyst"])
    client.get(KPIS)
    with CaptureQueriesContext(connection) as few:
        assert client.get(KPIS).status_code == 200
    for month in range(7, 13):
        for branch in (org["north"], org["south"]):
            add_cell(branch, staff["account_manager"], dt.date(2025, month, 1), active=3)
    with CaptureQueriesContext(connection) as many:
        assert client.get(KPIS).status_code == 200
    # session, user, profile; the run; the branches; the summed cells
    assert len(few) == len(many) == 6
