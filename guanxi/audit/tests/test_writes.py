"""Every write has an entry: groups, definitions, analysis runs and their value tiers, refusals."""

import json

import pytest

from guanxi.audit.models import AuditAction, AuditEntry, AuditSubject
from guanxi.customers.models import Customer
from guanxi.insights import services as insights
from guanxi.insights.tests.conftest import DUMMY, demo_store  # noqa: F401 (a fixture)

URL = "/api/v1/customers"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_creating_a_group_is_audited_with_its_name(api_as):
    group = post(api_as("marketer"), f"{URL}/groups", {"name": "重点客户", "kind": "static"}).json()
    entry = AuditEntry.objects.get(object_type="group")
    assert (entry.action, entry.object_id) == ("create", str(group["id"]))
    assert entry.object_name == "重点客户"
    assert entry.changes["name"] == [None, "重点客户"] and entry.channel == "api"


def test_changing_members_names_the_customers_added(api_as, make_customer):
    customer = make_customer()
    client = api_as("marketer")
    group = post(client, f"{URL}/groups", {"name": "重点客户", "kind": "static"}).json()
    post(client, f"{URL}/groups/{group['id']}/members", {"add": [customer.pk]})
    entry = AuditEntry.objects.get(object_type="group", action="update")
    assert entry.changes["members_added"] == [None, [customer.pk]]
    assert list(AuditSubject.objects.filter(entry=entry).values_list("customer_id", flat=True)) == [
        customer.pk
    ]


def test_deleting_a_group_keeps_its_name_in_the_log(api_as):
    client = api_as("marketer")
    group = post(client, f"{URL}/groups", {"name": "临时名单", "kind": "static"}).json()
    assert client.delete(f"{URL}/groups/{group['id']}").status_code == 204
    found = api_as("auditor").get("/api/v1/audit", {"object_type": "group", "action": "delete"})
    assert [e["object_name"] for e in found.json()] == ["临时名单"]


def test_defining_a_custom_field_is_audited(api_as):
    body = {"key": "risk_level", "label": "风险等级", "field_type": "choice", "choices": ["R1"]}
    assert post(api_as("admin"), f"{URL}/custom-fields", body).status_code == 201
    entry = AuditEntry.objects.get(object_type="custom_field")
    assert (entry.action, entry.actor_name, entry.object_name) == ("create", "admin", "风险等级")
    assert entry.changes["choices"] == [None, ["R1"]]


def test_a_refused_definition_writes_no_entry(api_as):
    body = {"key": "x", "label": "X", "field_type": "text"}
    assert post(api_as("account_manager"), f"{URL}/custom-fields", body).status_code == 403
    assert not AuditEntry.objects.exists()


def test_defining_a_product_is_audited(api_as):
    body = {"code": "FUND", "name": "基金定投", "kind": "wealth"}
    assert post(api_as("admin"), f"{URL}/products", body).status_code == 201
    entry = AuditEntry.objects.get(object_type="product")
    assert (entry.action, entry.object_name) == ("create", "基金定投")


def test_a_refused_reveal_is_audited_with_its_reason(api_as, make_customer):
    customer = make_customer()
    body = {"field": "id_number", "reason": "想看看客户资料"}
    assert post(api_as("marketer"), f"{URL}/{customer.pk}/reveal", body).status_code == 403
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL_REFUSED)
    assert (entry.actor_name, entry.object_id, entry.fields, entry.purpose) == (
        "marketer",
        str(customer.pk),
        ["id_number"],
        "想看看客户资料",
    )
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()


def test_queueing_an_analysis_run_records_who(api_as, settings):
    settings.TASKS = DUMMY
    run = api_as("analyst").post("/api/v1/insights/runs").json()
    entry = AuditEntry.objects.get(object_type="analysis_run")
    assert (entry.action, entry.actor_name) == ("create", "analyst")
    assert entry.object_id == str(run["id"])


@pytest.mark.django_db(transaction=True)
def test_a_run_records_its_end_and_the_customers_whose_tier_it_moved(demo_store):  # noqa: F811
    before = dict(Customer.objects.values_list("pk", "value_tier"))
    run = insights.run_analysis()
    after = dict(Customer.objects.values_list("pk", "value_tier"))
    moved = {pk for pk, tier in after.items() if before[pk] != tier}
    assert moved and run.counts["tier_changes"] == len(moved)
    tiers = AuditEntry.objects.get(object_type="analysis_run", fields=["value_tier"])
    assert (tiers.object_id, tiers.channel) == (str(run.pk), "task")
    assert tiers.customer_count == len(moved)
    named = set(AuditSubject.objects.filter(entry=tiers).values_list("customer_id", flat=True))
    assert named == moved
    end = AuditEntry.objects.get(object_type="analysis_run", fields=["status"])
    assert end.changes == {"status": ["running", "finished"]}
