"""The analytics dashboard and the 360 panel: who sees what, scoped to their customers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.audit.models import AuditEntry
from guanxi.audit.services import RequestContext
from guanxi.customers.models import Customer
from guanxi.insights import selectors
from guanxi.insights.charts import CHART_COLUMNS, build_charts
from guanxi.insights.models import AnalysisRun, CrossSellSuggestion, CustomerScore, RunStatus
from guanxi.policy import Viewer
from guanxi.web.tests.support import client_for

from .conftest import DUMMY

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("analytics:list")


@pytest.fixture
def book(make_customer, staff, org):
    """Customers of the account manager, of a colleague in the same branch, and in the south."""
    return {
        "own": make_customer("张三"),
        "colleague": make_customer("李四", owner_id=staff["other_manager"].pk),
        "south": make_customer(
            "王五", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk
        ),
    }


@pytest.fixture
def run(book, fabricated_run) -> AnalysisRun:
    """A finished run with a churn warning for every customer."""
    return fabricated_run(list(book.values()), warn={c.pk for c in book.values()})


def churn_names(response) -> set[str]:
    return {row["name"] for row in response.context["churn"]}


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("analyst", True),
        ("marketer", True),
        ("branch_manager", True),
        ("account_manager", True),
        ("service_agent", False),
        ("auditor", False),
    ],
)
def test_dashboard_is_open_to_the_analytics_roles_only(staff, role, allowed):
    response = client_for(staff[role]).get(DASHBOARD)

    assert response.status_code == (200 if allowed else 403)


def test_account_manager_sees_only_own_customers_at_risk(staff, run):
    response = client_for(staff["account_manager"]).get(DASHBOARD)

    assert churn_names(response) == {"张三"}
    assert response.context["charts"]["customers"] == 1
    assert not response.context["company_wide"]


def test_branch_manager_sees_the_branch_customers_at_risk(staff, run):
    response = client_for(staff["branch_manager"]).get(DASHBOARD)

    assert churn_names(response) == {"张三", "李四"}
    assert response.context["charts"]["customers"] == 2


def churn_list_sql(viewer: Viewer, run: AnalysisRun, size: int) -> tuple[list[int], str]:
    """The churn list's customer ids with ``size`` rows, and its query's SQL."""
    charts = {"customers": 3, "churn_warnings": 3}  # the scope holds every warning
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.churn_list(viewer, run, RequestContext(channel="test"), charts, size)
    return [r["customer_id"] for r in rows], queries[0]["sql"]


@pytest.mark.parametrize("role", ["branch_manager", "account_manager"])
def test_reading_the_run_s_warnings_in_order_finds_the_same_churn_list_in_scope(staff, run, role):
    viewer = Viewer.of(staff[role])
    probed, probing = churn_list_sql(viewer, run, 50)
    walked, walking = churn_list_sql(viewer, run, 2)  # two of three: read in order
    assert "EXISTS" in walking and "EXISTS" not in probing
    assert walked == probed[:2]
    expected = {"张三", "李四"} if role == "branch_manager" else {"张三"}
    assert {c.name for c in Customer.objects.filter(pk__in=probed)} == expected


def test_analyst_sees_every_customer_at_risk_and_company_charts(staff, run):
    run.charts = {"customers": 3, "pyramid": [["B", 3]], "segments": [], "heatmap": []}
    run.save()

    response = client_for(staff["analyst"]).get(DASHBOARD)

    assert churn_names(response) == {"张三", "李四", "王五"}
    assert response.context["company_wide"]
    assert response.context["charts"]["customers"] == 3


def test_the_churn_list_shows_reasons_and_owners(staff, run):
    page = client_for(staff["account_manager"]).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = page.content.decode()
    assert "已90天未购买" in html
    assert "李经理" in html


def test_reading_the_churn_list_is_audited(staff, run, book):
    client_for(staff["account_manager"]).get(DASHBOARD)

    entry = AuditEntry.objects.filter(object_type="customer").latest("id")
    assert entry.object_id == str(book["own"].pk)


def test_dashboard_without_runs_says_so(staff):
    page = client_for(staff["analyst"]).get(DASHBOARD)

    assert b'id="no-run"' in page.content
    assert page.context["charts"] is None


def test_the_run_button_is_shown_to_those_who_may_run(staff, run):
    assert b'id="run-now"' in client_for(staff["analyst"]).get(DASHBOARD).content
    assert b'id="run-now"' not in client_for(staff["marketer"]).get(DASHBOARD).content


def test_run_now_queues_a_run(staff, settings, django_capture_on_commit_callbacks):
    settings.TASKS = DUMMY
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff["analyst"]).post(reverse("analytics:run"))

    assert response.status_code == 302
    run = AnalysisRun.objects.get()
    assert run.status == RunStatus.QUEUED
    assert run.triggered_by == staff["analyst"]


def test_marketer_cannot_run_the_analysis(staff):
    response = client_for(staff["marketer"]).post(reverse("analytics:run"))

    assert response.status_code == 403
    assert not AnalysisRun.objects.exists()


def test_the_360_page_shows_the_latest_scores(staff, run, book, products):
    CrossSellSuggestion.objects.create(
        run=run, customer=book["own"], rank=1, product=products["FUND"], score=0.8, reason="r"
    )
    page = client_for(staff["account_manager"]).get(
        reverse("customers:detail", args=[book["own"].pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    html = page.content.decode()
    assert 'id="insights-panel"' in html
    assert "High value, low loyalty" in html  # pyramid level B
    assert "At risk" in html  # RFM segment
    assert "No purchase for 90 days" in html
    assert "基金定投" in html  # the cross-sell suggestion
    assert 'data-kind="score"' in html and 'data-kind="churn_warning"' in html


def test_the_360_page_has_no_panel_before_any_run(staff, book):
    page = client_for(staff["account_manager"]).get(
        reverse("customers:detail", args=[book["own"].pk])
    )

    assert page.status_code == 200
    assert b'id="insights-panel"' not in page.content


def test_scores_stay_hidden_with_a_customer_outside_scope(staff, run, book):
    page = client_for(staff["account_manager"]).get(
        reverse("customers:detail", args=[book["south"].pk])
    )

    assert page.status_code == 404


@pytest.mark.parametrize(("role", "listed"), [("analyst", True), ("service_agent", False)])
def test_the_navigation_entry_follows_the_dashboard_permission(staff, role, listed):
    page = client_for(staff[role]).get(reverse("customers:list"))

    assert (f'href="{DASHBOARD}"' in page.content.decode()) is listed


def test_the_timeline_tells_changes_not_every_run(staff, book, fabricated_run):
    own = book["own"]
    fabricated_run([own])
    fabricated_run([own], warn={own.pk})  # same standing, a new warning
    fabricated_run([own], warn={own.pk})  # nothing new

    page = client_for(staff["account_manager"]).get(reverse("customers:detail", args=[own.pk]))

    html = page.content.decode()
    assert html.count('data-kind="score"') == 1
    assert html.count('data-kind="churn_warning"') == 1


def test_an_account_manager_without_customers_gets_empty_charts(staff, fabricated_run, book):
    fabricated_run(list(book.values()))
    manager = staff["south_manager"]
    book["south"].delete()

    response = client_for(manager).get(DASHBOARD)

    assert response.status_code == 200
    assert response.context["charts"]["customers"] == 0
    assert response.context["churn"] == []


# --- value at risk and the call list -------------------------------------------------------


def test_the_churn_list_puts_the_call_list_first_then_ranks_by_value_at_risk(
    staff, book, fabricated_run
):
    everyone = list(book.values())
    fabricated_run(everyone, warn={c.pk for c in everyone}, call_list={book["south"].pk})

    response = client_for(staff["analyst"]).get(DASHBOARD)

    rows = response.context["churn"]
    assert [row["name"] for row in rows] == ["王五", "张三", "李四"]
    assert [row["on_call_list"] for row in rows] == [True, False, False]
    assert rows[1]["value_at_risk"] == 3500.0


def test_the_churn_list_shows_value_at_risk_with_its_definition_in_chinese(staff, book, run):
    page = client_for(staff["account_manager"]).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = page.content.decode()
    assert "风险价值" in html and "¥3,500.00" in html
    assert "近 12 个月收入" in html  # the definition names the measure
    assert "至多占全部客户的5%" in html  # the call list's length


def test_the_dashboard_counts_the_call_list(staff, book, fabricated_run):
    run = fabricated_run(list(book.values()), warn={book["own"].pk}, call_list={book["own"].pk})
    scores = CustomerScore.objects.filter(run=run).values_list(*CHART_COLUMNS)
    run.charts = build_charts(dict(zip(CHART_COLUMNS, zip(*scores, strict=True), strict=True)))
    run.save()

    page = client_for(staff["analyst"]).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en")

    assert "1 on the call list" in page.content.decode()


def test_an_account_manager_sees_the_headline_figures_of_their_own_customers(staff, run):
    page = client_for(staff["account_manager"]).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en")

    html = page.content.decode()
    assert 'id="customers-scored">1<' in html  # not the company's 3
    assert 'id="churn-warnings">1<' in html
    assert 'id="top-share">100%<' in html and 'id="gini">0.00<' in html


def test_the_360_page_shows_value_at_risk_and_that_the_customer_is_on_the_call_list(
    staff, book, fabricated_run
):
    own = book["own"]
    fabricated_run([own], warn={own.pk}, call_list={own.pk})

    page = client_for(staff["account_manager"]).get(
        reverse("customers:detail", args=[own.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    html = page.content.decode()
    assert 'id="insights-value-at-risk">¥3,500.00' in html
    assert 'data-on-call-list="true"' in html and "在优先挽留名单中" in html
    assert "风险价值：客户已停止购买的概率" in html  # the definition, as a tooltip


def test_the_360_page_calls_a_warning_off_the_call_list_a_lower_priority_signal(
    staff, book, fabricated_run
):
    own = book["own"]
    fabricated_run([own], warn={own.pk})

    page = client_for(staff["account_manager"]).get(
        reverse("customers:detail", args=[own.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    html = page.content.decode()
    assert 'data-on-call-list="false"' in html
    assert "Not on the call list: a lower-priority signal" in html


def test_the_360_page_of_a_run_before_the_call_list_shows_no_call_list(staff, book, fabricated_run):
    own = book["own"]
    run = fabricated_run([own], warn={own.pk})
    run.scores.update(churn_priority=None, value_at_risk=None, churn_probability=None)

    page = client_for(staff["account_manager"]).get(reverse("customers:detail", args=[own.pk]))

    html = page.content.decode()
    assert 'id="insights-churn"' in html and 'id="insights-call-list"' not in html
    assert 'id="insights-value-at-risk">—' in html


def _bank_run(run: AnalysisRun, **score) -> None:
    """Give a fabricated run a bank's settings (tiers by AUM) and the customer's value."""
    run.parameters = {
        "analysis": {"value": {"measure": "aum", "shown": ["aum", "profit_12m"]}},
        "write_back": {
            "tier_measure": "value",
            "value_tiers": [["platinum", 0.05], ["gold", 0.15], ["silver", 0.30]],
        },
    }
    run.save()
    run.scores.update(**score)


def test_the_360_page_says_which_measure_and_cut_off_put_the_customer_in_their_tier(
    staff, book, fabricated_run
):
    own = book["own"]
    run = fabricated_run([own])
    _bank_run(run, value=1_200_000.0, aum=1_200_000.0, value_share=0.12, value_share_branch=0.09)

    page = client_for(staff["account_manager"]).get(
        reverse("customers:detail", args=[own.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    standing = page.content.decode().split('id="insights-value-standing">')[1].split("<")[0]
    assert standing == (
        "Gold: AUM ¥1.20M, top 12% of the company, top 9% of the branch"
        " (Gold is the top 5%–20% by AUM)"
    )


def test_the_360_page_says_in_chinese_which_measure_put_the_customer_in_their_tier(
    staff, book, fabricated_run
):
    own = book["own"]
    run = fabricated_run([own])
    _bank_run(run, value=1_200_000.0, aum=1_200_000.0, value_share=0.12, value_share_branch=0.09)

    page = client_for(staff["account_manager"]).get(
        reverse("customers:detail", args=[own.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    html = page.content.decode()
    assert (
        "黄金：管理资产为 ¥120.00万，全公司前 12%，本网点前 9%"
        "（黄金为按管理资产排名前 5%–20% 的客户）"
    ) in html


def test_the_360_page_flags_a_customer_who_costs_more_to_serve_than_they_bring(
    staff, book, fabricated_run
):
    own = book["own"]
    run = fabricated_run([own])
    _bank_run(run, value=800.0, aum=800.0, profit_12m=-120.0, cost_12m=180.0, unprofitable=True)

    page = client_for(staff["account_manager"]).get(
        reverse("customers:detail", args=[own.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    html = page.content.decode()
    assert 'id="insights-unprofitable"' in html and "cost to serve ¥180.00" in html


def test_every_term_on_the_360_page_carries_its_definition(staff, book, fabricated_run):
    own = book["own"]
    _bank_run(fabricated_run([own]), value=5000.0, aum=5000.0, value_share=0.5)

    page = client_for(staff["account_manager"]).get(
        reverse("customers:detail", args=[own.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    html = page.content.decode()
    for definition in (
        "RFM：",
        "P(alive)：",
        "客户终身价值：",
        "金字塔层级：",
        "评分 0–100",
        "价值等级按",
    ):
        assert f'title="{definition}' in html, definition
