"""Holdings, products, contacts and groups through the API, and concurrent edits."""

import json
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import RequestContext
from guanxi.concurrency import VersionConflict
from guanxi.customers import holdings, services
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import Contact, Customer, CustomerGroup, Holding, Transaction

URL = "/api/v1/customers"


def send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_products_and_holdings(api_as, make_customer):
    admin = api_as("admin")
    product = {"code": "WM-001", "name": "稳健理财1号", "kind": "wealth"}
    assert send(admin, "post", f"{URL}/products", product).status_code == 201
    assert (
        send(api_as("marketer"), "post", f"{URL}/products", {**product, "code": "X"}).status_code
        == 403
    )
    duplicate = send(admin, "post", f"{URL}/products", product)
    assert duplicate.status_code == 422
    assert duplicate.json()["detail"][0]["field"] == "code"
    customer = make_customer()
    client = api_as("account_manager")
    body = {
        "product_code": "WM-001",
        "account_number": "6222000012345678",
        "opened_at": "2025-03-01",
    }
    created = send(client, "post", f"{URL}/{customer.pk}/holdings", body)
    assert created.status_code == 201
    assert created.json()["product"]["name"] == "稳健理财1号"
    assert created.json()["account_number"] == "6222000012345678"
    masked = api_as("marketer").get(f"{URL}/{customer.pk}").json()["holdings"][0]
    assert masked["account_number"] == "…5678"
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    bad = send(
        client,
        "post",
        f"{URL}/{customer.pk}/holdings",
        {**body, "product_code": "NONE", "opened_at": future},
    )
    assert {d["field"] for d in bad.json()["detail"]} == {"product_code", "opened_at"}


def test_contact_edit_and_removal(api_as, make_customer):
    company = make_customer("示例科技有限公司", kind="organisation")
    client = api_as("account_manager")
    contact = send(client, "post", f"{URL}/{company.pk}/contacts", {"name": "王经理"}).json()
    url = f"{URL}/{company.pk}/contacts/{contact['id']}"
    change = {"phone": "13700002222", "title": "采购", "version": contact["version"]}
    changed = send(client, "patch", url, change)
    assert (changed.json()["phone"], changed.json()["title"]) == ("13700002222", "采购")
    bad = send(client, "patch", url, {"phone": "42", "version": changed.json()["version"]})
    assert bad.json()["detail"][0]["field"] == "phone"
    assert api_as("marketer").delete(url).status_code == 403
    assert client.delete(url).status_code == 204
    assert not Contact.objects.exists()
    assert client.delete(url).status_code == 404


def test_a_contact_edit_based_on_a_stale_version_changes_nothing(api_as, make_customer):
    company = make_customer("示例科技有限公司", kind="organisation")
    client = api_as("account_manager")
    contact = send(client, "post", f"{URL}/{company.pk}/contacts", {"name": "王经理"}).json()
    url = f"{URL}/{company.pk}/contacts/{contact['id']}"
    assert send(client, "patch", url, {"title": "采购", "version": 1}).status_code == 200
    stale = send(client, "patch", url, {"title": "财务", "version": 1})
    assert stale.status_code == 409
    assert Contact.objects.get(pk=contact["id"]).title == "采购"
    assert send(client, "patch", url, {"title": "财务"}).status_code == 422


def test_replacing_tags_based_on_a_stale_version_changes_nothing(api_as, make_customer):
    customer = make_customer("张三")
    client = api_as("account_manager")
    url = f"{URL}/{customer.pk}/tags"
    first = send(client, "put", url, {"tags": ["VIP"], "version": customer.version})
    assert first.status_code == 200
    stale = send(client, "put", url, {"tags": ["流失预警"], "version": customer.version})
    assert stale.status_code == 409
    assert list(customer.tags.values_list("name", flat=True)) == ["VIP"]


def test_group_deletion(api_as):
    client = api_as("marketer")
    group = send(client, "post", f"{URL}/groups", {"name": "春节营销", "kind": "static"}).json()
    assert api_as("analyst").delete(f"{URL}/groups/{group['id']}").status_code == 403
    assert client.delete(f"{URL}/groups/{group['id']}").status_code == 204
    assert not CustomerGroup.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_editors_cannot_both_win(staff, make_customer):
    customer = make_customer()
    viewer = policy.Viewer.of(staff["admin"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(address: str) -> None:
        barrier.wait()
        try:
            services.customer_update(
                viewer=viewer,
                customer_id=customer.pk,
                changes=CustomerFields(address=address),
                expected_version=1,
                context=RequestContext(),
            )
            outcomes.append("saved " + address)
        except VersionConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(a,)) for a in ("甲地址", "乙地址")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.split()[0] for o in outcomes) == ["conflict", "saved"]
    stored = Customer.objects.get(pk=customer.pk)
    assert stored.version == 2
    assert "saved " + stored.address in outcomes


def test_a_booking_whose_audit_entry_fails_is_not_kept(make_customer, staff, monkeypatch):
    customer = make_customer("张三")

    def failing_record(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(holdings, "record", failing_record)
    booking = holdings.Booking(
        amount=Decimal("88.00"), channel="branch", occurred_at=timezone.now()
    )
    with pytest.raises(RuntimeError):
        holdings.transaction_book(
            viewer=policy.Viewer.of(staff["admin"]),
            customer_id=customer.pk,
            booking=booking,
            context=RequestContext(),
        )
    assert not Transaction.objects.exists()
    customer.refresh_from_db()
    assert (customer.transaction_count, customer.lifetime_revenue) == (0, 0)


def _held(api_as, make_customer) -> tuple[Customer, dict]:
    send(api_as("admin"), "post", f"{URL}/products", {"code": "TD3", "name": "三年定期",
                                                      "kind": "deposit"})  # fmt: skip
    customer = make_customer()
    body = {"product_code": "TD3", "opened_at": "2025-03-01", "balance": "500000"}
    created = send(api_as("account_manager"), "post", f"{URL}/{customer.pk}/holdings", body)
    assert created.status_code == 201
    return customer, created.json()


def test_a_holdings_balance_is_updated_with_its_version_and_audited(api_as, make_customer):
    customer, held = _held(api_as, make_customer)
    url = f"{URL}/{customer.pk}/holdings/{held['id']}"
    changed = send(api_as("account_manager"), "patch", url,
                   {"balance": "120000.50", "version": held["version"]})  # fmt: skip
    assert changed.status_code == 200
    assert (changed.json()["balance"], changed.json()["version"]) == ("120000.50", 2)
    entry = AuditEntry.objects.filter(object_type="holding", action="update").get()
    assert entry.changes == {"balance": ["500000.00", "120000.50"]}


def test_a_stale_holding_version_changes_nothing(api_as, make_customer):
    customer, held = _held(api_as, make_customer)
    url = f"{URL}/{customer.pk}/holdings/{held['id']}"
    client = api_as("account_manager")
    assert send(client, "patch", url, {"balance": "1", "version": 1}).status_code == 200
    stale = send(client, "patch", url, {"balance": "2", "version": 1})
    assert stale.status_code == 409
    assert Holding.objects.get().balance == Decimal(1)


def test_a_holding_cannot_be_closed_before_it_opened(api_as, make_customer):
    customer, held = _held(api_as, make_customer)
    refused = send(api_as("account_manager"), "patch", f"{URL}/{customer.pk}/holdings/{held['id']}",
                   {"closed_at": "2024-01-01", "version": 1})  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "closed_at"
    assert Holding.objects.get().closed_at is None


def test_a_holding_of_a_customer_out_of_scope_reads_as_missing(api_as, make_customer):
    customer, held = _held(api_as, make_customer)
    refused = send(api_as("other_manager"), "patch",
                   f"{URL}/{customer.pk}/holdings/{held['id']}",
                   {"balance": "1", "version": 1})  # fmt: skip
    assert refused.status_code == 404
    assert Holding.objects.get().balance == Decimal(500000)
