"""Old → new values of every change: stored as they were, shown masked per the reader's access."""

import json

import pytest
from django.urls import reverse

from guanxi.audit.models import AuditEntry
from guanxi.web.tests.support import client_for

URL = "/api/v1/customers"


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def new_phone(api_as, make_customer):
    """The account manager changes 张三's phone from 138 1234 5678 to 139 8765 4321."""
    customer = make_customer(phone="13812345678")
    body = {"phone": "13987654321", "version": customer.version}
    assert patch(api_as("account_manager"), f"{URL}/{customer.pk}", body).status_code == 200
    return customer


def test_the_log_keeps_the_old_and_new_values_in_full(new_phone):
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"phone": ["+8613812345678", "+8613987654321"]}


def test_an_auditor_sees_the_change_masked_in_the_api(api_as, new_phone):
    found = api_as("auditor").get("/api/v1/audit", {"action": "update"}).json()
    assert found[0]["changes"] == {"phone": ["138****5678", "139****4321"]}


def test_an_administrator_sees_the_change_in_full_in_the_api(api_as, new_phone):
    found = api_as("admin").get("/api/v1/audit", {"action": "update"}).json()
    assert found[0]["changes"] == {"phone": ["13812345678", "13987654321"]}


def test_an_auditor_sees_the_change_masked_on_the_log_page(staff, new_phone):
    body = client_for(staff["auditor"]).get(reverse("audit:log"), {"action": "update"})
    text = body.content.decode()
    assert "138****5678 → 139****4321" in text
    assert "13812345678" not in text and "13987654321" not in text


def test_an_auditor_sees_the_change_masked_in_the_csv(api_as, new_phone):
    export = api_as("auditor").get("/api/v1/audit/export.csv", {"action": "update"})
    text = export.content.decode("utf-8-sig")
    assert "138****5678 → 139****4321" in text and "13812345678" not in text


def test_the_log_page_names_the_customer_and_links_to_the_360_view(staff, new_phone):
    body = client_for(staff["auditor"]).get(reverse("audit:log"), {"action": "update"})
    url = reverse("customers:detail", args=[new_phone.pk])
    assert f'<a href="{url}">张三</a>' in body.content.decode()


def test_a_lifecycle_change_records_the_old_and_new_status(api_as, make_customer):
    customer = make_customer()
    body = {"status": "new", "reason": "首次购买", "version": customer.version}
    assert post(api_as("admin"), f"{URL}/{customer.pk}/lifecycle", body).status_code == 200
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes == {"status": ["prospect", "new"]}


def test_a_tag_change_records_the_tags_before_and_after(api_as, make_customer):
    customer = make_customer()
    client = api_as("admin")
    url = f"{URL}/{customer.pk}/tags"
    for version, tags in enumerate((["VIP"], ["VIP", "高净值"]), start=customer.version):
        body = json.dumps({"tags": tags, "version": version})
        assert client.put(url, body, content_type="application/json").status_code == 200
    last = AuditEntry.objects.filter(action="update").order_by("id").last()
    assert last.changes == {"tags": [["VIP"], ["VIP", "高净值"]]}


def test_a_new_customer_records_every_value_from_nothing(make_customer):
    customer = make_customer(phone="13812345678")
    entry = AuditEntry.objects.get(action="create", object_type="customer")
    assert entry.changes["name"] == [None, "张三"]
    assert entry.changes["phone"] == [None, "+8613812345678"]
    assert entry.object_id == str(customer.pk)


def test_a_contact_change_is_masked_by_its_organisations_access(api_as, make_customer):
    company = make_customer("华为技术有限公司", kind="organisation", id_number="")
    contact = {"name": "王经理", "phone": "13700001111"}
    assert post(api_as("admin"), f"{URL}/{company.pk}/contacts", contact).status_code == 201
    found = api_as("auditor").get("/api/v1/audit", {"object_type": "contact"}).json()
    assert found[0]["changes"]["phone"] == [None, "137****1111"]
    assert found[0]["customers"] == [
        {"id": company.pk, "name": "华为技术有限公司", "url": f"/customers/{company.pk}/"}
    ]


def test_codes_in_changes_are_shown_translated(api_as, make_customer):
    customer = make_customer()
    body = {"status": "new", "reason": "首次购买", "version": customer.version}
    post(api_as("admin"), f"{URL}/{customer.pk}/lifecycle", body)
    found = api_as("auditor").get("/api/v1/audit", {"action": "update"}).json()
    assert found[0]["changes"] == {"status": ["prospect", "new"]}  # codes for programs
    export = api_as("auditor").get("/api/v1/audit/export.csv", {"action": "update"})
    assert "生命周期状态: 潜在客户 → 新客户" in export.content.decode("utf-8-sig")


def test_a_transfer_shows_the_old_and_new_branch_and_owner_by_name(
    api_as, org, staff, make_customer
):
    customer = make_customer()
    body = {
        "branch_id": org["south"].pk,
        "owner_id": staff["south_manager"].pk,
        "reason": "客户迁居上海",
        "version": customer.version,
    }
    assert post(api_as("admin"), f"{URL}/{customer.pk}/transfer", body).status_code == 200
    page = client_for(staff["auditor"]).get(reverse("audit:log"), {"action": "update"})
    text = page.content.decode()
    north, south = org["north"], org["south"]
    assert f"{north.name} (#{north.pk}) → {south.name} (#{south.pk})" in text
    manager = staff["south_manager"]
    assert f"→ 孙经理 (#{manager.pk})" in text
