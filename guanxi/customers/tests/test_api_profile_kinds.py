"""The API's profile has the fields of its customer's kind only, as its schema says."""

import pytest

from guanxi.api import api

URL = "/api/v1/customers"
PERSON_ONLY = {"id_number", "gender", "birthday"}
ORGANISATION_ONLY = {"uscc", "legal_representative", "registered_capital", "industry"}


@pytest.fixture
def company(make_customer):
    return make_customer(
        "星河科技有限公司", kind="organisation", id_number="", uscc="91110000600037341L"
    )


def _profile(client, customer_id: int) -> dict:
    response = client.get(f"{URL}/{customer_id}")
    assert response.status_code == 200, response.content
    return response.json()["profile"]


def test_an_organisations_profile_has_no_person_only_keys(api_as, company):
    profile = _profile(api_as("branch_manager"), company.pk)
    assert profile["kind"] == "organisation"
    assert profile["uscc"] == "91110000600037341L"
    assert PERSON_ONLY.isdisjoint(profile)
    assert "id_number" not in profile["masked"] + profile["revealable"]


def test_a_persons_profile_has_no_organisation_keys(api_as, make_customer):
    person = make_customer("张三")
    profile = _profile(api_as("account_manager"), person.pk)
    assert profile["kind"] == "individual"
    assert set(profile) >= PERSON_ONLY
    assert ORGANISATION_ONLY.isdisjoint(profile)


def test_a_person_whose_id_is_hidden_still_has_the_key_as_null(api_as, make_customer):
    person = make_customer("张三")
    profile = _profile(api_as("marketer"), person.pk)
    assert profile["id_number"] is None


def test_the_openapi_schema_tells_the_two_profiles_apart_by_kind():
    schemas = api.get_openapi_schema()["components"]["schemas"]
    person, organisation = schemas["PersonProfile"], schemas["OrganisationProfile"]
    assert set(person["properties"]) >= PERSON_ONLY
    assert ORGANISATION_ONLY.isdisjoint(person["properties"])
    assert set(organisation["properties"]) >= ORGANISATION_ONLY
    assert PERSON_ONLY.isdisjoint(organisation["properties"])
    profile = schemas["Customer360"]["properties"]["profile"]
    assert profile["discriminator"]["propertyName"] == "kind"
