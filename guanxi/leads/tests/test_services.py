"""Capturing, editing, scoring and moving leads through their statuses."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.concurrency import VersionConflict
from guanxi.leads import services, workflow
from guanxi.leads.inputs import LeadFields
from guanxi.leads.models import Lead, LeadAssignment, LeadStatus, LeadStatusChange
from guanxi.leads.tests.conftest import CONTEXT


def as_(staff, role):
    return policy.Viewer.of(staff[role])


def test_an_account_manager_captures_a_lead_they_own(make_lead, staff):
    lead = make_lead()
    assert lead.owner_id == staff["account_manager"].pk
    assert LeadAssignment.objects.get(lead=lead).method == "creator"
    assert AuditEntry.objects.filter(object_type="lead", object_id=str(lead.pk)).exists()


def test_a_lead_is_scored_with_its_reasons(make_lead):
    lead = make_lead(email="a@example.com")
    codes = [code for code, _points in lead.score_reasons]
    assert codes == ["phone", "email", "walk_in"]
    assert lead.score == 30


def test_an_administrator_reweights_the_score_rules(make_lead, staff):
    services.score_rules_set(viewer=as_(staff, "admin"), points={"walk_in": 40}, context=CONTEXT)
    assert make_lead().score == 50


def test_an_account_manager_cannot_reweight_the_score_rules(staff):
    with pytest.raises(PermissionDenied):
        services.score_rules_set(
            viewer=as_(staff, "account_manager"), points={"walk_in": 40}, context=CONTEXT
        )


def test_a_bad_phone_is_refused_by_name_and_nothing_is_written(make_lead):
    with pytest.raises(ValidationError) as refused:
        make_lead(phone="12")
    assert "phone" in refused.value.message_dict
    assert not Lead.objects.exists()


def test_a_marketer_captures_a_lead_left_for_the_branch(make_lead, staff):
    lead = make_lead(by="marketer", source="campaign", campaign="春季理财节")
    assert lead.owner_id is None
    assert lead.created_by_id == staff["marketer"].pk


def test_a_status_move_follows_the_table_and_sets_the_first_response(make_lead, staff):
    lead = make_lead()
    moved = services.lead_change_status(
        viewer=as_(staff, "account_manager"), lead_id=lead.pk, status="contacted",
        expected_version=lead.version, context=CONTEXT,
    )  # fmt: skip
    assert moved.status == LeadStatus.CONTACTED
    assert moved.first_response_at is not None
    assert LeadStatusChange.objects.filter(lead=lead).count() == 2


def test_a_move_the_table_does_not_allow_is_refused_naming_status(make_lead, staff):
    lead = make_lead()
    with pytest.raises(ValidationError) as refused:
        services.lead_change_status(
            viewer=as_(staff, "account_manager"), lead_id=lead.pk, status="converted",
            expected_version=lead.version, context=CONTEXT,
        )  # fmt: skip
    assert "status" in refused.value.message_dict
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_keeping_a_lead_for_later_needs_a_reason(make_lead, staff):
    lead = make_lead()
    with pytest.raises(ValidationError) as refused:
        services.lead_change_status(
            viewer=as_(staff, "account_manager"), lead_id=lead.pk, status="kept",
            expected_version=lead.version, context=CONTEXT,
        )  # fmt: skip
    assert "reason" in refused.value.message_dict


def test_a_kept_lead_is_reopened(make_lead, staff):
    viewer, lead = as_(staff, "account_manager"), make_lead()
    kept = services.lead_change_status(
        viewer=viewer, lead_id=lead.pk, status="kept", reason="明年再联系",
        expected_version=lead.version, context=CONTEXT,
    )  # fmt: skip
    assert kept.status_reason == "明年再联系"
    reopened = services.lead_change_status(
        viewer=viewer, lead_id=lead.pk, status="contacted", expected_version=kept.version,
        context=CONTEXT,
    )  # fmt: skip
    assert reopened.status == LeadStatus.CONTACTED


def test_every_status_but_the_final_ones_has_a_way_on():
    for status in LeadStatus.values:
        final = status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED)
        assert bool(workflow.MOVES[status]) != final


def test_a_stale_version_changes_nothing(make_lead, staff):
    lead = make_lead()
    with pytest.raises(VersionConflict):
        services.lead_update(
            viewer=as_(staff, "account_manager"), lead_id=lead.pk,
            changes=LeadFields(company="新公司"), expected_version=lead.version + 1,
            context=CONTEXT,
        )  # fmt: skip
    lead.refresh_from_db()
    assert lead.company == ""


def test_an_update_rescores_the_lead(make_lead, staff):
    lead = make_lead()
    updated = services.lead_update(
        viewer=as_(staff, "account_manager"), lead_id=lead.pk,
        changes=LeadFields(company="华为技术有限公司"), expected_version=lead.version,
        context=CONTEXT,
    )  # fmt: skip
    assert updated.score == lead.score + 10
