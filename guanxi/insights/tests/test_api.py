"""The insights API: runs and a customer's score history, scoped like the customer."""

import pytest

from guanxi.insights.models import AnalysisRun, RunStatus

from .conftest import DUMMY

pytestmark = pytest.mark.django_db
RUNS = "/api/v1/insights/runs"


def scores_url(customer) -> str:
    return f"/api/v1/insights/customers/{customer.pk}/scores"


def test_runs_are_listed_newest_first(api_as, fabricated_run, make_customer):
    older = fabricated_run([make_customer()])
    newer = fabricated_run([])

    response = api_as("analyst").get(RUNS)

    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [newer.pk, older.pk]
    assert response.json()[0]["status"] == "finished"


def test_runs_are_not_listed_to_a_service_agent(api_as):
    assert api_as("service_agent").get(RUNS).status_code == 403


def test_posting_a_run_queues_it_with_202(api_as, staff, settings):
    settings.TASKS = DUMMY

    response = api_as("admin").post(RUNS)

    assert response.status_code == 202
    run = AnalysisRun.objects.get(pk=response.json()["id"])
    assert run.status == RunStatus.QUEUED == response.json()["status"]
    assert run.triggered_by == staff["admin"]


def test_a_marketer_cannot_start_a_run(api_as):
    assert api_as("marketer").post(RUNS).status_code == 403
    assert not AnalysisRun.objects.exists()


def test_score_history_of_an_own_customer(api_as, fabricated_run, make_customer):
    customer = make_customer()
    first, second = fabricated_run([customer]), fabricated_run([customer], warn={customer.pk})

    response = api_as("account_manager").get(scores_url(customer))

    assert response.status_code == 200
    history = response.json()
    assert [h["run_id"] for h in history] == [second.pk, first.pk]
    assert history[0]["churn_warning"] and history[0]["churn_reason_codes"] == ["OVERDUE"]
    assert history[0]["pyramid_level"] == "B"


def test_scores_carry_value_at_risk_and_the_call_list(api_as, fabricated_run, make_customer):
    customer = make_customer()
    fabricated_run([customer], warn={customer.pk}, call_list={customer.pk})

    score = api_as("account_manager").get(scores_url(customer)).json()[0]

    assert score["churn_probability"] == 0.7 and score["value_at_risk"] == 3500.0
    assert score["churn_rank"] == 1 and score["churn_priority"] is True


def test_score_history_outside_scope_is_404(api_as, fabricated_run, make_customer, staff):
    colleague = make_customer(owner_id=staff["other_manager"].pk)
    fabricated_run([colleague])

    assert api_as("account_manager").get(scores_url(colleague)).status_code == 404
    assert api_as("branch_manager").get(scores_url(colleague)).status_code == 200


def test_failed_runs_are_not_in_the_history(api_as, fabricated_run, make_customer):
    customer = make_customer()
    run = fabricated_run([customer])
    run.status = RunStatus.FAILED
    run.save()

    assert api_as("admin").get(scores_url(customer)).json() == []
