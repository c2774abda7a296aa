"""The bulk endpoints: assigning an owner, and adding every customer matching a filter."""

import json

import pytest

from guanxi.audit.models import AuditEntry
from guanxi.customers.models import Customer, CustomerGroup, GroupMembership

URL = "/api/v1/customers"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def fields_named(response) -> set[str]:
    return {d["field"] for d in response.json()["detail"]}


def owners() -> list[tuple[int, int]]:
    return list(Customer.objects.order_by("pk").values_list("pk", "owner_id"))


@pytest.fixture
def north(make_customer) -> list[Customer]:
    return [make_customer(f"北客户{n}", value_tier="gold" if n else "standard") for n in range(3)]


def test_a_branch_manager_assigns_an_owner_through_the_api(api_as, staff, north):
    body = {"owner_id": staff["other_manager"].pk, "customer_ids": [c.pk for c in north]}
    response = post(api_as("branch_manager"), f"{URL}/assign-owner", body)
    assert response.status_code == 200, response.content
    assert sorted(response.json()["changed"]) == sorted(c.pk for c in north)
    assert {o for _pk, o in owners()} == {staff["other_manager"].pk}


def test_an_owner_may_be_assigned_to_every_customer_matching_a_filter(api_as, staff, north):
    body = {"owner_id": staff["other_manager"].pk, "matching": {"value_tier": "gold"}}
    response = post(api_as("admin"), f"{URL}/assign-owner", body)
    assert response.status_code == 200, response.content
    assert sorted(response.json()["changed"]) == sorted(c.pk for c in north[1:])
    assert Customer.objects.get(pk=north[0].pk).owner_id == staff["account_manager"].pk


def test_an_unknown_owner_is_a_422_naming_owner_id_and_changes_nothing(api_as, north):
    before = owners()
    body = {"owner_id": 987654, "customer_ids": [north[0].pk]}
    response = post(api_as("admin"), f"{URL}/assign-owner", body)
    assert response.status_code == 422
    assert fields_named(response) == {"owner_id"}
    assert owners() == before


def test_an_owner_outside_the_callers_team_is_a_422_naming_owner_id(api_as, staff, north):
    before = owners()
    body = {"owner_id": staff["other_manager"].pk, "customer_ids": [north[0].pk]}
    response = post(api_as("team_lead"), f"{URL}/assign-owner", body)
    assert response.status_code == 422
    assert fields_named(response) == {"owner_id"}
    assert owners() == before


def test_too_many_ids_are_a_422_naming_customer_ids(api_as, staff, north, settings):
    settings.GUANXI_BULK_MAX_CUSTOMERS = 2
    before = owners()
    body = {"owner_id": staff["other_manager"].pk, "customer_ids": [c.pk for c in north]}
    response = post(api_as("admin"), f"{URL}/assign-owner", body)
    assert response.status_code == 422
    assert fields_named(response) == {"customer_ids"}
    assert owners() == before


def test_a_filter_matching_too_many_is_a_422_naming_matching(api_as, staff, north, settings):
    settings.GUANXI_BULK_MAX_CUSTOMERS = 2
    body = {"owner_id": staff["other_manager"].pk, "matching": {}}
    response = post(api_as("admin"), f"{URL}/assign-owner", body)
    assert response.status_code == 422
    assert fields_named(response) == {"matching"}


def test_a_bad_filter_is_a_422_naming_its_key(api_as, staff, north):
    body = {"owner_id": staff["other_manager"].pk, "matching": {"status": "nonsense"}}
    response = post(api_as("admin"), f"{URL}/assign-owner", body)
    assert response.status_code == 422
    assert fields_named(response) == {"matching.status"}


def test_ids_and_a_filter_together_are_refused(api_as, staff, north):
    body = {"owner_id": staff["other_manager"].pk, "customer_ids": [north[0].pk], "matching": {}}
    response = post(api_as("admin"), f"{URL}/assign-owner", body)
    assert response.status_code == 422
    assert fields_named(response) == {"matching"}


def test_a_marketer_may_not_assign_owners(api_as, staff, north):
    before, entries = owners(), AuditEntry.objects.count()
    body = {"owner_id": staff["other_manager"].pk, "customer_ids": [north[0].pk]}
    response = post(api_as("marketer"), f"{URL}/assign-owner", body)
    assert response.status_code == 403
    assert owners() == before
    assert AuditEntry.objects.count() == entries


def test_every_customer_matching_a_filter_may_be_added_to_a_group(api_as, north):
    client = api_as("marketer")
    group = post(client, f"{URL}/groups", {"name": "金卡名单", "kind": "static"}).json()
    body = {"add_matching": {"value_tier": "gold"}}
    response = post(client, f"{URL}/groups/{group['id']}/members", body)
    assert response.status_code == 200, response.content
    assert response.json() == {"member_count": 2}
    members = GroupMembership.objects.filter(group_id=group["id"])
    assert sorted(m.customer_id for m in members) == sorted(c.pk for c in north[1:])


def test_adding_a_filter_matching_too_many_changes_no_group(api_as, north, settings):
    settings.GUANXI_BULK_MAX_CUSTOMERS = 1
    client = api_as("marketer")
    group = post(client, f"{URL}/groups", {"name": "金卡名单", "kind": "static"}).json()
    response = post(client, f"{URL}/groups/{group['id']}/members", {"add_matching": {}})
    assert response.status_code == 422
    assert fields_named(response) == {"add_matching"}
    assert not GroupMembership.objects.exists()
    assert CustomerGroup.objects.count() == 1
