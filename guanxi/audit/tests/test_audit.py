"""The audit log: what reads and changes write, who may search it, and that it is append-only."""

import json

import pytest

from guanxi.audit.models import AppendOnlyError, AuditEntry

URL = "/api/v1/customers"


def test_reading_a_customer_records_who_what_and_from_where(api_as, make_customer):
    customer = make_customer()
    api_as("marketer").get(f"{URL}/{customer.pk}", headers={"X-Purpose": "营销活动筛选"})
    entry = AuditEntry.objects.filter(action="read").get()
    assert entry.actor_name == "marketer"
    assert entry.object_id == str(customer.pk)
    assert "phone:masked" in entry.fields and "name" in entry.fields
    assert not any(f.startswith("id_number") for f in entry.fields)
    assert entry.purpose == "营销活动筛选"
    assert entry.ip_address == "127.0.0.1"
    assert entry.channel == "api"


def test_a_list_read_audits_each_customer_shown(api_as, make_customer):
    ids = {str(make_customer(name).pk) for name in ["张三", "李四", "王五"]}
    api_as("admin").get(URL)
    reads = AuditEntry.objects.filter(action="read")
    assert {e.object_id for e in reads} == ids
    assert all("id_number:full" in e.fields for e in reads)


def test_changes_are_audited_with_the_changed_fields(api_as, make_customer):
    customer = make_customer()
    body = json.dumps({"address": "上海市浦东新区", "version": 1})
    api_as("account_manager").patch(f"{URL}/{customer.pk}", body, content_type="application/json")
    entry = AuditEntry.objects.get(action="update")
    assert entry.fields == ["address"] and entry.actor_name == "am"


def test_entries_cannot_be_changed_or_deleted(api_as, make_customer):
    make_customer()
    entry = AuditEntry.objects.first()
    entry.purpose = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(purpose="x")


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_auditors_search_and_export(api_as, make_customer, role):
    customer = make_customer()
    api_as("marketer").get(f"{URL}/{customer.pk}")
    client = api_as(role)
    found = client.get("/api/v1/audit", {"actor": "marketer", "action": "read"}).json()
    assert [(e["object_id"], e["action"]) for e in found] == [(str(customer.pk), "read")]
    export = client.get("/api/v1/audit/export.csv", {"object_id": str(customer.pk)})
    assert export.status_code == 200
    lines = export.content.decode().strip().splitlines()
    assert lines[0].startswith("at,actor,action")
    assert any(",marketer,read,customer," in line for line in lines[1:])
    username = {"auditor": "auditor", "admin": "admin"}[role]
    assert AuditEntry.objects.filter(action="export", actor_name=username).exists()


@pytest.mark.parametrize("role", ["account_manager", "marketer", "branch_manager"])
def test_other_roles_cannot_read_the_audit_log(api_as, role):
    assert api_as(role).get("/api/v1/audit").status_code == 403
    assert api_as(role).get("/api/v1/audit/export.csv").status_code == 403


def test_bad_audit_date_names_the_field(api_as):
    response = api_as("auditor").get("/api/v1/audit", {"since": "yesterday"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "since"


def test_a_large_batch_is_recorded_whole_with_one_entry_per_record(staff):
    # More ids than SQLite would take as one parameter each in a statement.
    from guanxi.audit.models import AuditAction
    from guanxi.audit.services import RequestContext, record

    ids = list(range(1, 2501))
    context = RequestContext(ip_address="10.0.0.9", channel="api", purpose="export")
    record(staff["auditor"], AuditAction.EXPORT, "customer", ids, ["name"], context)
    entries = AuditEntry.objects.filter(action=AuditAction.EXPORT)
    assert sorted(int(e) for e in entries.values_list("object_id", flat=True)) == ids
    assert set(entries.values_list("actor_name", "ip_address", "purpose")) == {
        ("auditor", "10.0.0.9", "export")
    }
