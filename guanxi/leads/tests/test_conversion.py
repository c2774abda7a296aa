"""Conversion: create or link the customer, never a duplicate, and an opportunity, once."""

import pytest
from django.core.exceptions import ValidationError

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.concurrency import DuplicateValue, VersionConflict
from guanxi.conftest import resident_id
from guanxi.customers.models import Customer
from guanxi.leads.conversion import OpportunityWish, lead_convert
from guanxi.leads.models import LeadStatus
from guanxi.leads.tests.conftest import CONTEXT
from guanxi.sales.models import Opportunity


def convert(staff, lead, by="account_manager", **kwargs):
    return lead_convert(
        viewer=policy.Viewer.of(staff[by]), lead_id=lead.pk, expected_version=lead.version,
        context=CONTEXT, **kwargs,
    )  # fmt: skip


def test_a_new_person_becomes_a_customer_and_an_opportunity(make_lead, staff, pipeline):
    lead = make_lead(id_number=resident_id())
    done = convert(staff, lead, opportunity=OpportunityWish(name="大额存单"))
    assert done.customer_created
    assert done.customer.owner_id == staff["account_manager"].pk
    opportunity = Opportunity.objects.get(pk=done.opportunity_id)
    assert opportunity.customer_id == done.customer.pk and opportunity.name == "大额存单"
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.customer_id == done.customer.pk


def test_a_lead_matching_a_customer_by_phone_is_linked_not_duplicated(
    make_lead, make_customer, staff
):
    customer = make_customer(phone="13900001111")
    lead = make_lead()
    done = convert(staff, lead)
    assert not done.customer_created and done.customer.pk == customer.pk
    assert Customer.objects.count() == 1


def test_the_match_is_audited_as_an_identifying_search(make_lead, make_customer, staff):
    make_customer(phone="13900001111")
    convert(staff, make_lead())
    assert AuditEntry.objects.filter(action="search", object_type="customer").exists()


def test_a_match_out_of_scope_is_refused_and_nothing_changes(make_lead, make_customer, staff):
    make_customer(phone="13900001111", owner_id=staff["other_manager"].pk)
    lead = make_lead()
    with pytest.raises(DuplicateValue) as refused:
        convert(staff, lead)
    assert refused.value.field == "phone" and refused.value.existing_id is None
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW and Customer.objects.count() == 1


def test_converting_twice_is_refused_naming_status_and_changes_nothing(make_lead, staff, pipeline):
    lead = make_lead()
    convert(staff, lead, opportunity=OpportunityWish())
    lead.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        convert(staff, lead, opportunity=OpportunityWish())
    assert "status" in refused.value.message_dict
    assert Customer.objects.count() == 1 and Opportunity.objects.count() == 1


def test_a_stale_version_converts_nothing(make_lead, staff):
    lead = make_lead()
    lead.version += 1
    with pytest.raises(VersionConflict):
        convert(staff, lead)
    assert not Customer.objects.exists()


def test_a_lead_without_an_owner_is_assigned_first(make_lead, staff):
    lead = make_lead(by="marketer", source="campaign")
    with pytest.raises(ValidationError) as refused:
        convert(staff, lead, by="branch_manager")
    assert "owner_id" in refused.value.message_dict
