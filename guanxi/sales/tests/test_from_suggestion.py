"""A cross-sell suggestion becomes an opportunity for the product the customer lacks."""

import pytest

from guanxi import policy
from guanxi.customers import definitions
from guanxi.insights.models import AnalysisRun, CrossSellSuggestion
from guanxi.sales.models import Opportunity

URL = "/api/v1/opportunities/from-suggestion"


@pytest.fixture
def suggestion(staff, make_customer, pipeline):
    product = definitions.product_define(
        viewer=policy.Viewer.of(staff["admin"]),
        data={"code": "WM1", "name": "稳健理财一号", "kind": "wealth"},
    )
    run = AnalysisRun.objects.create(status="finished", trigger="command")
    return CrossSellSuggestion.objects.create(
        run=run, customer=make_customer(), rank=1, product=product, score=0.8
    )


def test_a_suggestion_becomes_an_opportunity_for_its_product_linked_to_it(api_as, suggestion):
    response = api_as("account_manager").post(
        URL, {"suggestion_id": suggestion.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["product_id"] == suggestion.product_id
    assert body["customer_id"] == suggestion.customer_id
    assert body["source_suggestion_id"] == suggestion.pk
    assert "稳健理财一号" in body["name"]


def test_a_suggestion_already_worked_is_refused_naming_it(api_as, suggestion):
    client = api_as("account_manager")
    client.post(URL, {"suggestion_id": suggestion.pk}, content_type="application/json")
    response = client.post(URL, {"suggestion_id": suggestion.pk}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "suggestion_id"
    assert Opportunity.objects.count() == 1


def test_a_suggestion_for_a_product_the_customer_now_holds_is_refused(api_as, suggestion):
    from datetime import date

    from guanxi.customers.models import Holding

    Holding.objects.create(
        customer_id=suggestion.customer_id, product=suggestion.product, opened_at=date(2026, 1, 1)
    )
    response = api_as("account_manager").post(
        URL, {"suggestion_id": suggestion.pk}, content_type="application/json"
    )
    assert response.status_code == 422
    assert not Opportunity.objects.exists()


def test_a_suggestion_of_a_customer_out_of_scope_reads_as_unknown(api_as, suggestion, staff):
    suggestion.customer.owner = staff["other_manager"]
    suggestion.customer.save(update_fields=["owner"])
    response = api_as("account_manager").post(
        URL, {"suggestion_id": suggestion.pk}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "suggestion_id"
    assert not Opportunity.objects.exists()
