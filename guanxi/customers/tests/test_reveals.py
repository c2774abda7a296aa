"""Revealing masked values: a reason a reviewer understands, a limit per hour, refusals audited."""

import json

import pytest

from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.customers.reveals import reason_problem

URL = "/api/v1/customers"
GOOD_REASON = "客户来电核实身份"


def reveal(client, customer_id: int, reason: str = GOOD_REASON, field: str = "phone"):
    body = json.dumps({"field": field, "reason": reason})
    return client.post(f"{URL}/{customer_id}/reveal", body, content_type="application/json")


@pytest.mark.parametrize(
    "reason", ["客户来电核实身份", "customer called to verify identity", "核实身份"]
)
def test_a_reason_in_words_is_accepted(reason):
    assert reason_problem(reason) is None


@pytest.mark.parametrize(
    "reason", ["", "test", "1234567890123", "aaaaaaaaaaaa", "看看", "。。。。。"]
)
def test_a_reason_that_says_nothing_is_refused(reason):
    assert reason_problem(reason)


def test_a_reveal_with_an_empty_reason_is_refused_and_the_refusal_audited(api_as, make_customer):
    customer = make_customer()
    response = reveal(api_as("service_agent"), customer.pk, reason="test")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "reason"
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()
    refused = AuditEntry.objects.get(action=AuditAction.REVEAL_REFUSED)
    assert (refused.object_id, refused.purpose) == (str(customer.pk), "test")


def test_reveals_beyond_the_hourly_limit_are_refused_with_429(api_as, make_customer, settings):
    settings.GUANXI_REVEALS_PER_HOUR = 2
    customers = [make_customer(f"客户{n}") for n in range(3)]
    client = api_as("service_agent")
    assert [reveal(client, c.pk).status_code for c in customers] == [200, 200, 429]
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL).count() == 2
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL_REFUSED).count() == 1


def test_the_hourly_limit_is_per_user(api_as, make_customer, settings):
    settings.GUANXI_REVEALS_PER_HOUR = 1
    customer = make_customer()
    assert reveal(api_as("service_agent"), customer.pk).status_code == 200
    assert reveal(api_as("auditor"), customer.pk).status_code == 200


def test_the_reveal_page_shows_the_limit_as_a_form_error(client, staff, make_customer, settings):
    settings.GUANXI_REVEALS_PER_HOUR = 0
    customer = make_customer()
    client.force_login(staff["service_agent"])
    response = client.post(f"/customers/{customer.pk}/reveal/phone/", {"reason": GOOD_REASON})
    assert response.status_code == 200
    assert "+8613812345678" not in response.content.decode()
    assert "13812345678" not in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.REVEAL_REFUSED).count() == 1
