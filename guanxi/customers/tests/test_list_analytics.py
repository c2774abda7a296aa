"""The customer list filtered and sorted by the latest finished analysis run, and counted."""

import pytest
from django.utils import timezone

from guanxi.compiled_query import ShapedQuery
from guanxi.customers import list_query
from guanxi.insights.models import AnalysisRun, CustomerScore


@pytest.fixture
def people(make_customer, staff):
    """Five of the account manager's customers and one of a colleague's."""
    made = [make_customer(name) for name in ("艾一", "白二", "蔡三", "丁四", "鄂五")]
    made.append(make_customer("冯六", owner_id=staff["other_manager"].pk))
    return made


def _run(people, **overrides) -> AnalysisRun:
    run = AnalysisRun.objects.create(
        status="finished", trigger="command", finished_at=timezone.now()
    )
    # 艾一, 丁四 and 冯六 are warned (OVERDUE; 丁四 also SPEND_DROP), 丁四 is on the call list.
    rows = {
        "艾一": ("champions", "A", ["OVERDUE"], 100.0, 90.0, 5000.0),
        "白二": ("lost", "D", [], 0.0, 10.0, 10.0),
        "蔡三": ("at_risk", "B", [], None, 55.0, 800.0),
        "丁四": ("at_risk", "B", ["SPEND_DROP", "OVERDUE"], 900.0, 70.0, 3000.0),
        "鄂五": ("new", "C", [], 5.0, 40.0, 200.0),
        "冯六": ("at_risk", "B", ["OVERDUE"], 2000.0, 80.0, 9000.0),
    }
    CustomerScore.objects.bulk_create(
        CustomerScore(
            run=run,
            customer=c,
            rfm_segment=rows[c.name][0],
            pyramid_level=rows[c.name][1],
            churn_warning=bool(rows[c.name][2]),
            churn_reason_codes=rows[c.name][2],
            value_at_risk=rows[c.name][3],
            score=rows[c.name][4],
            clv=rows[c.name][5],
            churn_priority=c.name == "丁四",
            value_tier="standard",
            **overrides,
        )
        for c in people
    )
    return run


@pytest.fixture
def scored(people) -> AnalysisRun:
    return _run(people)


def _names(answer) -> list[str]:
    assert answer.status_code == 200, answer.content
    return [row["name"] for row in answer.json()["results"]]


def test_churn_warnings_sorted_by_value_at_risk_come_largest_first(api_as, scored):
    answer = api_as("admin").get(
        "/api/v1/customers", {"churn_warning": "true", "sort": "-value_at_risk"}
    )
    assert _names(answer) == ["冯六", "丁四", "艾一"]


def test_an_account_managers_analytics_filter_stays_within_their_portfolio(api_as, scored):
    answer = api_as("account_manager").get(
        "/api/v1/customers", {"churn_warning": "true", "sort": "-value_at_risk"}
    )
    assert _names(answer) == ["丁四", "艾一"]
    assert answer.json()["count"] == 2


def test_a_customer_without_value_at_risk_sorts_last(api_as, scored):
    answer = api_as("account_manager").get("/api/v1/customers", {"sort": "-value_at_risk"})
    assert _names(answer)[-1] == "蔡三"


def test_the_list_filters_by_segment_and_pyramid_level(api_as, scored):
    answer = api_as("admin").get("/api/v1/customers", {"segment": "at_risk", "pyramid_level": "B"})
    assert sorted(_names(answer)) == sorted(["蔡三", "丁四", "冯六"])


def test_the_list_filters_by_the_kind_of_churn_warning(api_as, scored):
    answer = api_as("admin").get("/api/v1/customers", {"churn_kind": "SPEND_DROP"})
    assert _names(answer) == ["丁四"]


def test_the_list_filters_by_the_call_list(api_as, scored):
    answer = api_as("admin").get("/api/v1/customers", {"churn_priority": "true"})
    assert _names(answer) == ["丁四"]


def test_the_list_filters_by_a_minimum_score_and_sorts_by_score(api_as, scored):
    answer = api_as("admin").get("/api/v1/customers", {"min_score": "60", "sort": "-score"})
    assert _names(answer) == ["艾一", "冯六", "丁四"]


def test_the_list_sorts_by_lifetime_value(api_as, scored):
    answer = api_as("account_manager").get("/api/v1/customers", {"sort": "-clv"})
    assert _names(answer) == ["艾一", "丁四", "蔡三", "鄂五", "白二"]


def test_rows_show_the_scores_of_the_latest_run(api_as, scored):
    answer = api_as("admin").get("/api/v1/customers", {"churn_priority": "true"})
    row = answer.json()["results"][0]
    assert (row["rfm_segment"], row["churn_warning"], row["value_at_risk"]) == (
        "at_risk",
        True,
        900.0,
    )


def test_an_older_run_is_not_what_the_list_filters_by(api_as, people, scored):
    newer = _run(people)
    CustomerScore.objects.filter(run=newer).update(churn_warning=False)
    answer = api_as("admin").get("/api/v1/customers", {"churn_warning": "true"})
    assert _names(answer) == []


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("segment", "vip"),
        ("pyramid_level", "Z"),
        ("churn_kind", "BORED"),
        ("min_score", "101"),
        ("churn_warning", "maybe"),
        ("sort", "-risk"),
    ],
)
def test_an_unknown_analytics_value_is_refused_naming_the_parameter(api_as, scored, param, value):
    answer = api_as("admin").get("/api/v1/customers", {param: value})
    assert answer.status_code == 422
    assert [d["field"] for d in answer.json()["detail"]] == [param]


def test_without_a_finished_run_an_analytics_filter_matches_nobody(api_as, people):
    answer = api_as("admin").get("/api/v1/customers", {"churn_warning": "true"})
    assert _names(answer) == []
    assert answer.json()["count"] == 0


def test_without_a_finished_run_an_analytics_sort_is_the_name_order(api_as, people):
    by_risk = api_as("admin").get("/api/v1/customers", {"sort": "-value_at_risk"})
    by_name = api_as("admin").get("/api/v1/customers", {"sort": "name"})
    assert _names(by_risk) == _names(by_name)


def test_the_count_is_the_number_of_matches_in_scope_not_of_the_page(api_as, scored):
    answer = api_as("account_manager").get("/api/v1/customers", {"page_size": 2})
    assert (answer.json()["count"], answer.json()["count_is_lower_bound"]) == (5, False)


def test_a_count_past_its_limit_says_at_least(api_as, scored, monkeypatch):
    monkeypatch.setattr(list_query, "COUNT_LIMIT", 3)
    # Compiled afresh: the limit is in the SQL text, and must not stay for later tests.
    monkeypatch.setattr(list_query, "_compiled_count", ShapedQuery(list_query._count_query))
    monkeypatch.setattr("guanxi.customers.selectors.COUNT_LIMIT", 3)
    answer = api_as("admin").get("/api/v1/customers")
    assert (answer.json()["count"], answer.json()["count_is_lower_bound"]) == (3, True)


def test_a_search_sorted_by_value_at_risk_ranks_its_matches_by_it(api_as, scored):
    answer = api_as("admin").get("/api/v1/customers", {"q": "丁", "sort": "-value_at_risk"})
    assert _names(answer) == ["丁四"]


def test_the_list_page_filters_by_churn_warning_and_shows_the_flag(client, staff, scored):
    client.force_login(staff["account_manager"])
    answer = client.get("/customers/", {"churn_warning": "true", "sort": "-value_at_risk"})
    html = answer.content.decode()
    assert html.count("data-churn-warning") == 2
    assert html.index("丁四") < html.index("艾一")
    assert 'data-count="2"' in html


def test_the_list_page_refuses_an_unknown_segment_next_to_its_field(client, staff, scored):
    client.force_login(staff["account_manager"])
    answer = client.get("/customers/", {"segment": "vip"})
    assert answer.status_code == 200
    assert "alert-danger" in answer.content.decode()
    assert "data-count" not in answer.content.decode()


def test_the_list_sorts_by_aum_and_shows_it_with_profit(api_as, scored):
    for score in CustomerScore.objects.filter(run=scored).select_related("customer"):
        score.aum = score.value = score.clv * 100  # the same order as -clv
        score.profit_12m = -5.0 if score.customer.name == "白二" else 50.0
        score.unprofitable = score.profit_12m < 0
        score.save()

    answer = api_as("account_manager").get("/api/v1/customers", {"sort": "-aum"})

    assert _names(answer) == ["艾一", "丁四", "蔡三", "鄂五", "白二"]
    last = answer.json()["results"][-1]
    assert (last["aum"], last["value"], last["unprofitable"]) == (1000.0, 1000.0, True)


def test_the_list_sorts_the_least_profitable_first(api_as, scored):
    for score in CustomerScore.objects.filter(run=scored):
        score.profit_12m = score.clv - 1000.0
        score.save()

    answer = api_as("account_manager").get("/api/v1/customers", {"sort": "profit_12m"})

    assert _names(answer) == ["白二", "鄂五", "蔡三", "丁四", "艾一"]
