"""Owners within the customer's branch; moving branch is a transfer, by administrators."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi import policy
from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.audit.services import RequestContext
from guanxi.customers import services
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import Customer

CONTEXT = RequestContext(channel="test")


def url(customer) -> str:
    return f"/api/v1/customers/{customer.pk}/transfer"


def body(org, staff, customer, **changes) -> dict:
    return {
        "branch_id": org["south"].pk,
        "owner_id": staff["south_manager"].pk,
        "reason": "客户迁居上海",
        "version": customer.version,
        **changes,
    }


def state(customer) -> tuple:
    fresh = Customer.objects.get(pk=customer.pk)
    return fresh.branch_id, fresh.owner_id, fresh.version


@pytest.fixture
def customer(make_customer):
    return make_customer()


def test_an_administrator_transfers_a_customer_with_a_reason(api_as, org, staff, customer):
    answer = api_as("admin").post(
        url(customer), body(org, staff, customer), content_type="application/json"
    )
    assert answer.status_code == 200
    assert answer.json() == {
        "id": customer.pk,
        "branch_id": org["south"].pk,
        "owner_id": staff["south_manager"].pk,
        "version": customer.version + 1,
    }


def test_a_transfer_is_audited_with_old_and_new_branch_and_owner(api_as, org, staff, customer):
    api_as("admin").post(url(customer), body(org, staff, customer), content_type="application/json")
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(customer.pk)).get()
    assert entry.purpose == "客户迁居上海"
    assert entry.changes == {
        "branch_id": [org["north"].pk, org["south"].pk],
        "owner_id": [staff["account_manager"].pk, staff["south_manager"].pk],
    }


@pytest.mark.parametrize("role", ["branch_manager", "account_manager", "service_agent"])
def test_only_administrators_may_transfer(api_as, org, staff, customer, role):
    before = state(customer)
    answer = api_as(role).post(
        url(customer), body(org, staff, customer), content_type="application/json"
    )
    assert answer.status_code == 403
    assert state(customer) == before


def test_a_transfer_needs_an_owner_of_the_new_branch(api_as, org, staff, customer):
    before = state(customer)
    wrong = body(org, staff, customer, owner_id=staff["other_manager"].pk)
    answer = api_as("admin").post(url(customer), wrong, content_type="application/json")
    assert answer.status_code == 422
    assert state(customer) == before


def test_a_transfer_needs_a_reason(api_as, org, staff, customer):
    before = state(customer)
    answer = api_as("admin").post(
        url(customer), body(org, staff, customer, reason=""), content_type="application/json"
    )
    assert answer.status_code == 422
    assert state(customer) == before


def test_an_edit_cannot_move_a_customer_to_another_branch(staff, org, customer):
    before = state(customer)
    admin = policy.Viewer.of(staff["admin"])
    with pytest.raises(ValidationError) as refused:
        services.customer_update(
            viewer=admin,
            customer_id=customer.pk,
            changes=CustomerFields(branch_id=org["south"].pk),
            expected_version=customer.version,
            context=CONTEXT,
        )
    assert "branch_id" in refused.value.message_dict
    assert state(customer) == before


def test_an_owner_must_belong_to_the_customers_branch(staff, org):
    admin = policy.Viewer.of(staff["admin"])
    fields = CustomerFields(
        name="赵六", branch_id=org["north"].pk, owner_id=staff["south_manager"].pk
    )
    with pytest.raises(ValidationError) as refused:
        services.customer_create(viewer=admin, fields=fields, context=CONTEXT)
    assert "owner_id" in refused.value.message_dict
    assert not Customer.objects.filter(name="赵六").exists()


def test_an_edit_cannot_give_the_customer_an_owner_of_another_branch(staff, customer):
    before = state(customer)
    admin = policy.Viewer.of(staff["admin"])
    with pytest.raises(ValidationError):
        services.customer_update(
            viewer=admin,
            customer_id=customer.pk,
            changes=CustomerFields(owner_id=staff["south_manager"].pk),
            expected_version=customer.version,
            context=CONTEXT,
        )
    assert state(customer) == before


def test_the_transfer_service_refuses_a_branch_manager(staff, org, customer):
    before = state(customer)
    with pytest.raises(PermissionDenied):
        services.customer_transfer(
            viewer=policy.Viewer.of(staff["branch_manager"]),
            customer_id=customer.pk,
            branch_id=org["south"].pk,
            owner_id=None,
            reason="客户迁居上海",
            expected_version=customer.version,
            context=CONTEXT,
        )
    assert state(customer) == before
