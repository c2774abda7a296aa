"""The customer services publish their domain events, with names and ids, never values."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import TASK_CONTEXT, RequestContext
from guanxi.core.events.models import EventRecord
from guanxi.customers import holdings, services
from guanxi.customers.events import TransactionBooked
from guanxi.customers.inputs import CustomerFields

URL = "/api/v1/customers"


def send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def events_of(customer) -> list[tuple[str, dict]]:
    rows = EventRecord.objects.filter(record_type="customers.customer", record_id=customer.pk)
    return [(e.name, e.payload) for e in rows.order_by("pk")]


def test_creating_a_customer_through_the_api_publishes_customer_created(api_as, org, staff):
    body = {"name": "张三", "branch_id": org["north"].pk, "phone": "13812345678"}
    response = send(api_as("admin"), "post", URL, body)
    assert response.status_code == 201
    event = EventRecord.objects.get(name="customer.created")
    assert event.record_id == response.json()["profile"]["id"]
    assert event.actor_id == staff["admin"].pk
    assert {"branch_id", "name", "phone"} <= set(event.payload["fields"])
    assert "email" not in event.payload["fields"]  # not given
    assert event.payload["branch_id"] == org["north"].pk
    assert "张三" not in json.dumps(event.payload, ensure_ascii=False)
    assert "13812345678" not in json.dumps(event.payload)


def test_an_edit_publishes_the_changed_field_names_only(api_as, make_customer):
    customer = make_customer()
    body = {"address": "北京市朝阳区", "phone": "13900001111", "version": 1}
    assert send(api_as("account_manager"), "patch", f"{URL}/{customer.pk}", body).status_code == 200
    assert events_of(customer)[-1] == ("customer.updated", {"fields": ["address", "phone"]})


def test_an_edit_of_the_value_tier_also_publishes_the_tier_change(api_as, make_customer):
    customer = make_customer()
    old = customer.value_tier
    body = {"value_tier": "gold", "version": 1}
    assert send(api_as("admin"), "patch", f"{URL}/{customer.pk}", body).status_code == 200
    assert events_of(customer)[-2:] == [
        ("customer.updated", {"fields": ["value_tier"]}),
        ("customer.value_tier_changed", {"from_tier": old, "to_tier": "gold", "run_id": None}),
    ]


def test_a_refused_edit_publishes_nothing(api_as, make_customer):
    customer = make_customer()
    client = api_as("account_manager")
    assert send(client, "patch", f"{URL}/{customer.pk}", {"address": "A", "version": 1})
    before = EventRecord.objects.count()
    stale = send(client, "patch", f"{URL}/{customer.pk}", {"address": "B", "version": 1})
    assert stale.status_code == 409
    assert EventRecord.objects.count() == before


def test_a_lifecycle_move_publishes_the_old_and_new_status(api_as, make_customer):
    customer = make_customer()
    body = {"status": "new", "reason": "首次购买", "version": 1}
    response = send(api_as("account_manager"), "post", f"{URL}/{customer.pk}/lifecycle", body)
    assert response.status_code == 200
    assert events_of(customer)[-1] == (
        "customer.lifecycle_changed",
        {"from_status": customer.status, "to_status": "new"},
    )


def test_booking_a_transaction_publishes_it_with_the_user_as_actor(api_as, make_customer, staff):
    customer = make_customer()
    body = {"amount": "1200.50", "channel": "online", "occurred_at": timezone.now().isoformat()}
    response = send(api_as("account_manager"), "post", f"{URL}/{customer.pk}/transactions", body)
    assert response.status_code == 201
    event = EventRecord.objects.get(name="transaction.booked")
    assert (event.record_id, event.actor_id) == (customer.pk, staff["account_manager"].pk)
    booked = TransactionBooked.model_validate(event.payload)
    assert (booked.transaction_id, booked.amount) == (response.json()["id"], Decimal("1200.50"))
    assert booked.channel == "online"


def _book_as_the_system(customer) -> None:
    booking = holdings.Booking(amount=Decimal("10"), channel="branch", occurred_at=timezone.now())
    holdings.transaction_book(
        viewer=policy.Viewer.system(),
        customer_id=customer.pk,
        booking=booking,
        context=TASK_CONTEXT,
    )


def test_a_transaction_recorded_by_the_system_has_no_actor(make_customer):
    customer = make_customer()
    _book_as_the_system(customer)
    assert EventRecord.objects.get(name="transaction.booked").actor_id is None


def test_a_transaction_booked_by_the_system_is_audited_as_the_system(make_customer):
    customer = make_customer()
    _book_as_the_system(customer)
    entry = AuditEntry.objects.get(object_type="transaction")
    assert (entry.actor_id, entry.actor_name, entry.channel) == (None, "system", "task")


def test_an_invalid_edit_publishes_nothing(make_customer, staff):
    customer = make_customer()
    before = EventRecord.objects.count()
    admin = policy.Viewer.of(staff["admin"])
    with pytest.raises(ValidationError, match="phone"):
        services.customer_update(
            viewer=admin,
            customer_id=customer.pk,
            changes=CustomerFields(phone="12"),
            expected_version=1,
            context=RequestContext(),
        )
    assert EventRecord.objects.count() == before
