"""The audit log: what reads and changes write, who may search it, and that it is append-only."""

import json

import pytest

from guanxi.audit.models import AppendOnlyError, AuditAction, AuditEntry, AuditSubject
from guanxi.audit.services import RequestContext, record

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


def test_a_list_page_writes_one_entry_naming_every_customer_shown(api_as, make_customer):
    ids = {make_customer(name).pk for name in ["张三", "李四", "王五"]}
    api_as("admin").get(URL)
    read = AuditEntry.objects.get(action="read")
    assert (read.object_type, read.object_id, read.customer_count) == ("customer", "", 3)
    assert set(AuditSubject.objects.filter(entry=read).values_list("customer_id", flat=True)) == ids
    assert "id_number:full" in read.fields


def test_a_list_entry_names_every_access_the_page_used(api_as, make_customer, staff):
    make_customer("张三")  # the account manager's own customer: full phone
    make_customer("李四", owner_id=staff["other_manager"].pk)
    api_as("branch_manager").get(URL)
    read = AuditEntry.objects.get(action="read")
    assert "id_number:masked" in read.fields and "phone:full" in read.fields


def test_changes_are_audited_with_the_changed_fields(api_as, make_customer):
    customer = make_customer()
    body = json.dumps({"address": "上海市浦东新区", "version": 1})
    api_as("account_manager").patch(f"{URL}/{customer.pk}", body, content_type="application/json")
    entry = AuditEntry.objects.get(action="update")
    assert entry.fields == ["address"] and entry.actor_name == "am"
    assert entry.changes == {"address": ["", "上海市浦东新区"]}


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
    lines = export.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("时间 (Asia/Shanghai),用户名,")
    assert any(",marketer,市场小吴,查看,客户," in line for line in lines[1:])
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


def test_a_large_batch_is_recorded_whole_in_one_entry(staff):
    # More ids than SQLite would take as one parameter each in a statement.
    ids = list(range(1, 2501))
    context = RequestContext(ip_address="10.0.0.9", channel="api", purpose="export")
    record(staff["auditor"], AuditAction.EXPORT, "customer", ids, ["name"], context)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    named = AuditSubject.objects.filter(entry=entry).values_list("customer_id", flat=True)
    assert sorted(named) == ids and entry.customer_count == 2500
    assert (entry.actor_name, entry.ip_address, entry.purpose) == ("auditor", "10.0.0.9", "export")


def test_a_360_read_writes_no_subject_rows(api_as, make_customer):
    customer = make_customer()
    api_as("marketer").get(f"{URL}/{customer.pk}")
    entry = AuditEntry.objects.get(action="read")
    assert entry.object_id == str(customer.pk) and entry.customer_count is None
    assert not AuditSubject.objects.exists()


def test_several_records_of_another_type_are_refused(staff):
    with pytest.raises(ValueError):
        record(staff["admin"], AuditAction.READ, "group", [1, 2], [], RequestContext())
    assert not AuditEntry.objects.exists()


def test_an_empty_list_page_writes_nothing(staff):
    record(staff["admin"], AuditAction.READ, "customer", [], ["name"], RequestContext())
    assert not AuditEntry.objects.exists()


def test_a_search_that_found_nobody_is_still_recorded(staff):
    record(staff["admin"], AuditAction.SEARCH, "customer", [], ["id_number"], RequestContext())
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.object_id, entry.customer_count) == ("search", "", None)


def test_a_search_naming_several_customers_is_one_entry(staff):
    record(staff["admin"], AuditAction.SEARCH, "customer", [3, 4], ["phone"], RequestContext())
    entry = AuditEntry.objects.get()
    assert entry.customer_count == 2
    assert sorted(AuditSubject.objects.values_list("customer_id", flat=True)) == [3, 4]
