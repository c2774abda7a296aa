"""Searching by an identifying value is a read of it: refused to roles that may not see the
field, and audited with what was searched."""

import json

import pytest

from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.customers.models import CustomerGroup

URL = "/api/v1/customers"


@pytest.fixture
def customer(make_customer):
    return make_customer("张三")


@pytest.mark.parametrize("role", ["marketer", "analyst"])
def test_a_role_that_never_sees_id_numbers_cannot_search_by_one(role, api_as, customer):
    existing = api_as(role).get(URL, {"q": customer.id_number})
    unknown = api_as(role).get(URL, {"q": "11010519491231002X"})
    assert existing.status_code == unknown.status_code == 422
    assert existing.json() == unknown.json()
    assert existing.json()["detail"][0]["field"] == "q"
    assert not AuditEntry.objects.filter(action=AuditAction.SEARCH).exists()


def test_a_role_that_sees_the_field_masked_may_search_by_it(api_as, customer):
    found = api_as("service_agent").get(URL, {"q": customer.id_number})
    assert found.status_code == 200
    assert [r["id"] for r in found.json()["results"]] == [customer.pk]
    assert found.json()["results"][0]["id_number"] != customer.id_number


def test_an_identifying_search_is_audited_with_the_value_searched(api_as, customer):
    api_as("service_agent").get(URL, {"q": "13812345678"})
    entry = AuditEntry.objects.get(action=AuditAction.SEARCH)
    assert entry.fields == ["phone"]
    assert entry.changes == {"phone": [None, "+8613812345678"]}
    assert entry.object_id == str(customer.pk)


def test_an_identifying_search_that_finds_nobody_is_audited_too(api_as, customer):
    api_as("service_agent").get(URL, {"q": "someone@example.org"})
    entry = AuditEntry.objects.get(action=AuditAction.SEARCH)
    assert entry.fields == ["email"]


def test_a_name_search_is_no_identifying_search(api_as, customer):
    assert api_as("marketer").get(URL, {"q": "zhang"}).status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.SEARCH).exists()


def test_a_marketer_cannot_save_a_filter_that_searches_an_id_number(api_as, customer):
    body = {"name": "按身份证", "kind": "saved_filter", "filter": {"q": customer.id_number}}
    response = api_as("marketer").post(
        f"{URL}/groups", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "filter.q"
    assert not CustomerGroup.objects.exists()
