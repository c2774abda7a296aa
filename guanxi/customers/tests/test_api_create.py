"""Creating customers through the API: organisations, and duplicates refused with 409."""

import json

import pytest

from guanxi.conftest import resident_id
from guanxi.customers.models import Customer

URL = "/api/v1/customers"
USCC = "91110000600037341L"


def post(client, body):
    return client.post(URL, json.dumps(body), content_type="application/json")


@pytest.fixture
def company(org, staff) -> dict:
    return {
        "kind": "organisation",
        "name": "星河科技有限公司",
        "uscc": "9111 0000 6000 3734 1l",
        "legal_representative": "赵六",
        "registered_capital": "5000000.00",
        "industry": "information",
        "branch_id": org["north"].pk,
        "owner_id": staff["account_manager"].pk,
    }


@pytest.fixture
def south_person(make_customer, org, staff):
    """孙大 in the south branch: out of the north account manager's scope."""
    return make_customer("孙大", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)


def fields_of(response) -> list[str]:
    return [d["field"] for d in response.json()["detail"]]


def test_an_organisation_is_created_with_its_registration(api_as, company):
    response = post(api_as("account_manager"), company)
    assert response.status_code == 201, response.content
    profile = response.json()["profile"]
    assert (profile["uscc"], profile["legal_representative"]) == (USCC, "赵六")
    assert (profile["registered_capital"], profile["industry"]) == ("5000000.00", "information")


def test_a_duplicate_id_number_is_409_with_the_id_of_a_customer_the_caller_may_see(
    api_as, org, south_person
):
    body = {"name": "孙小", "branch_id": org["north"].pk, "id_number": south_person.id_number}
    response = post(api_as("admin"), body)
    assert response.status_code == 409
    assert fields_of(response) == ["id_number"]
    assert response.json()["existing_id"] == south_person.pk
    assert Customer.objects.count() == 1


def test_a_duplicate_id_number_is_409_without_an_id_out_of_the_callers_scope(
    api_as, org, staff, south_person
):
    body = {
        "name": "孙小",
        "branch_id": org["north"].pk,
        "owner_id": staff["account_manager"].pk,
        "id_number": south_person.id_number,
    }
    response = post(api_as("account_manager"), body)
    assert response.status_code == 409
    assert fields_of(response) == ["id_number"]
    assert "existing_id" not in response.json()
    assert Customer.objects.count() == 1


def test_out_of_scope_the_409_is_the_same_wherever_the_customer_is(
    api_as, org, staff, make_customer, south_person
):
    colleague = make_customer("李四", owner_id=staff["other_manager"].pk)  # same branch
    answers = []
    for other in (south_person, colleague):
        body = {
            "name": "新客户",
            "branch_id": org["north"].pk,
            "owner_id": staff["account_manager"].pk,
            "id_number": other.id_number,
        }
        answers.append(post(api_as("account_manager"), body).json())
    assert answers[0] == answers[1]


def test_a_duplicate_credit_code_is_409_naming_uscc(api_as, company):
    assert post(api_as("admin"), company).status_code == 201
    response = post(api_as("admin"), {**company, "name": "星河"})
    assert response.status_code == 409
    assert fields_of(response) == ["uscc"]
    assert "existing_id" in response.json()
    assert Customer.objects.count() == 1


def test_a_credit_code_that_is_not_valid_is_422_naming_uscc(api_as, company):
    response = post(api_as("admin"), {**company, "uscc": "91110000600037341A"})
    assert response.status_code == 422
    assert fields_of(response) == ["uscc"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize("field", ["id_number", "gender", "birthday"])
def test_a_personal_field_on_an_organisation_is_422_naming_it(api_as, company, field):
    value = {"id_number": resident_id(), "gender": "male", "birthday": "1985-06-15"}[field]
    response = post(api_as("admin"), {**company, field: value})
    assert response.status_code == 422
    assert fields_of(response) == [field]
    assert not Customer.objects.exists()


def test_an_organisation_field_on_an_individual_is_422_naming_it(api_as, org):
    body = {"name": "张三", "branch_id": org["north"].pk, "legal_representative": "赵六"}
    response = post(api_as("admin"), body)
    assert response.status_code == 422
    assert fields_of(response) == ["legal_representative"]


@pytest.mark.parametrize("capital", ["10000000000000", "-1", "1.001"])
def test_registered_capital_out_of_bounds_is_422_naming_it(api_as, company, capital):
    response = post(api_as("admin"), {**company, "registered_capital": capital})
    assert response.status_code == 422
    assert fields_of(response) == ["registered_capital"]
    assert not Customer.objects.exists()


def test_changing_an_id_number_to_another_customers_is_409(api_as, make_customer):
    first, second = make_customer("张三"), make_customer("李四")
    response = api_as("admin").patch(
        f"{URL}/{second.pk}",
        json.dumps({"id_number": first.id_number, "version": second.version}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["existing_id"] == first.pk
    second.refresh_from_db()
    assert second.id_number != first.id_number
