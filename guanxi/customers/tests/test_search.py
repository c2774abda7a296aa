"""The search box: phone numbers however they are typed, and organisations by credit code."""

import pytest
from django.urls import reverse

from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.customers.search import search_terms
from guanxi.web.tests.support import client_for

URL = "/api/v1/customers"
USCC = "91110000600037341L"


@pytest.fixture
def zhang(make_customer):
    make_customer("李四", phone="13900001111")
    return make_customer("张三", phone="13800138000")


@pytest.mark.parametrize(
    "query",
    [
        "+86 138 0013 8000",
        "+8613800138000",
        "8613800138000",  # a "+" unescaped in a URL arrives as a space
        "0086 138 0013 8000",
        "+86 (138) 0013-8000",
        "138-0013-8000",
    ],
)
def test_a_phone_with_or_without_the_country_code_finds_the_customer(api_as, zhang, query):
    found = api_as("service_agent").get(URL, {"q": query}).json()["results"]
    assert [r["id"] for r in found] == [zhang.pk]


def test_the_search_box_finds_a_phone_typed_with_plus_86(staff, zhang):
    response = client_for(staff["admin"]).get(reverse("customers:list"), {"q": "+86 138 0013 8000"})
    body = response.content.decode()
    assert "张三" in body and "李四" not in body


def test_a_phone_search_is_audited_with_the_stored_number(api_as, zhang):
    api_as("service_agent").get(URL, {"q": "+86 138 0013 8000"})
    entry = AuditEntry.objects.get(action=AuditAction.SEARCH)
    assert entry.changes == {"phone": [None, "+8613800138000"]}


def test_a_number_with_an_international_prefix_is_no_resident_id():
    terms = search_terms("0086 13800138000")  # 15 digits, as old resident IDs have
    assert "id_number" not in terms.identifying


@pytest.fixture
def company(make_customer):
    make_customer("星河贸易有限公司", kind="organisation")
    return make_customer("星河科技有限公司", kind="organisation", uscc=USCC)


@pytest.mark.parametrize("query", [USCC, USCC.lower(), "9111 0000 6000 3734 1L"])
def test_a_credit_code_finds_the_organisation(api_as, company, query):
    found = api_as("admin").get(URL, {"q": query}).json()["results"]
    assert [r["id"] for r in found] == [company.pk]


def test_a_role_that_may_not_search_by_id_number_may_search_by_credit_code(api_as, company):
    response = api_as("marketer").get(URL, {"q": USCC})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [company.pk]


def test_a_credit_code_is_no_identifying_search_of_a_person():
    assert search_terms(USCC).identifying == {}


def test_an_all_digit_credit_code_is_no_search_by_resident_id():
    terms = search_terms("911100006000373060")  # a valid credit code, no valid resident ID
    assert ("exact", "uscc") in terms.comparisons
    assert "id_number" not in terms.identifying


def test_eighteen_digits_that_may_be_a_resident_id_are_still_compared_with_id_numbers():
    assert "id_number" in search_terms("110105198506151234").identifying
