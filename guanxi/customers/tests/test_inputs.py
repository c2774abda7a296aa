"""The typed inputs of the customer and contact services: a field left out is not a field
sent empty."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi import policy
from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.audit.services import RequestContext
from guanxi.customers import contacts, services
from guanxi.customers.inputs import UNSET, ContactFields, CustomerFields
from guanxi.customers.models import Contact, Customer

CONTEXT = RequestContext(channel="test")


@pytest.fixture
def admin(staff) -> policy.Viewer:
    return policy.Viewer.of(staff["admin"])


@pytest.fixture
def customer(make_customer) -> Customer:
    return make_customer(address="北京市朝阳区建国路1号", occupation="医生")


@pytest.fixture
def contact(make_customer, admin) -> Contact:
    company = make_customer("星河贸易有限公司", kind="organisation", id_number="")
    fields = ContactFields(name="王五", title="经理", phone="13900001111")
    return contacts.contact_add(
        viewer=admin, customer_id=company.pk, fields=fields, context=CONTEXT
    )


def audit_entry(object_type: str, object_id: int, action: AuditAction) -> AuditEntry:
    return AuditEntry.objects.filter(
        object_type=object_type, object_id=str(object_id), action=action
    ).latest("pk")


def test_given_holds_only_the_fields_given_none_included():
    fields = CustomerFields(name="张三", owner_id=None, email=UNSET)
    assert fields.given() == {"name": "张三", "owner_id": None}


def test_an_update_that_leaves_a_field_out_does_not_touch_it(admin, customer):
    services.customer_update(
        viewer=admin,
        customer_id=customer.pk,
        changes=CustomerFields(occupation="教师"),
        expected_version=customer.version,
        context=CONTEXT,
    )
    customer.refresh_from_db()
    assert customer.occupation == "教师"
    assert customer.address == "北京市朝阳区建国路1号"


def test_an_update_that_sends_a_field_empty_clears_it(admin, customer):
    services.customer_update(
        viewer=admin,
        customer_id=customer.pk,
        changes=CustomerFields(address=""),
        expected_version=customer.version,
        context=CONTEXT,
    )
    customer.refresh_from_db()
    assert customer.address == ""
    assert customer.occupation == "医生"


def test_a_patch_that_leaves_the_owner_out_keeps_the_owner(api_as, staff, customer):
    body = {"occupation": "教师", "version": customer.version}
    answer = api_as("admin").patch(
        f"/api/v1/customers/{customer.pk}", json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 200
    customer.refresh_from_db()
    assert customer.owner_id == staff["account_manager"].pk


def test_a_patch_that_sends_the_owner_as_null_clears_it(api_as, customer):
    body = {"owner_id": None, "version": customer.version}
    answer = api_as("admin").patch(
        f"/api/v1/customers/{customer.pk}", json.dumps(body), content_type="application/json"
    )
    assert answer.status_code == 200
    customer.refresh_from_db()
    assert customer.owner_id is None


def test_unknown_customer_field_names_are_refused_naming_each_field():
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        CustomerFields.from_mapping({"name": "张三", "status": "lost", "phone_last4": "5678"})
    assert refused.value.message_dict == {
        "phone_last4": ["This field cannot be set."],
        "status": ["This field cannot be set."],
    }


def test_unknown_contact_field_names_are_refused_naming_each_field():
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        ContactFields.from_mapping({"name": "王五", "customer_id": 1})
    assert refused.value.message_dict == {"customer_id": ["This field cannot be set."]}


def test_a_customer_field_given_as_unset_is_not_in_the_audit_entry(admin, org):
    fields = CustomerFields(name="李四", branch_id=org["north"].pk, address="", occupation=UNSET)
    created = services.customer_create(viewer=admin, fields=fields, context=CONTEXT)
    entry = audit_entry("customer", created.pk, AuditAction.CREATE)
    assert "address" in entry.fields
    assert "occupation" not in entry.fields


def test_a_contact_field_given_as_unset_is_not_in_the_audit_entry(admin, contact):
    contacts.contact_update(
        viewer=admin,
        customer_id=contact.customer_id,
        contact_id=contact.pk,
        changes=ContactFields(title="总监", phone=UNSET),
        expected_version=contact.version,
        context=CONTEXT,
    )
    entry = audit_entry("contact", contact.pk, AuditAction.UPDATE)
    assert entry.fields == ["title"]
    assert entry.changes == {"title": ["经理", "总监"]}
