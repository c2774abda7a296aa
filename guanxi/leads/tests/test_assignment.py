"""Assignment: manual, round-robin within a team, rules, capacity; history and audit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.conftest import PASSWORD
from guanxi.leads import assignment
from guanxi.leads.models import AssigneeSetting, AssignmentRule, Lead, LeadAssignment
from guanxi.leads.tests.conftest import CONTEXT
from guanxi.org.roles import Role
from guanxi.org.services import create_staff


@pytest.fixture
def teammate(staff, org):
    """A second account manager in the north team."""
    return create_staff(
        "am4", PASSWORD, [Role.ACCOUNT_MANAGER], org["north"], org["north_team"], "周经理"
    )


def assign(staff, lead, by="team_lead", **kwargs):
    return assignment.lead_assign(
        viewer=policy.Viewer.of(staff[by]), lead_id=lead.pk, expected_version=lead.version,
        context=CONTEXT, **kwargs,
    )  # fmt: skip


def test_a_team_lead_reassigns_within_the_team_and_the_history_is_kept(make_lead, staff, teammate):
    lead = make_lead()
    assign(staff, lead, owner_id=teammate.pk, reason="休假")
    history = list(LeadAssignment.objects.filter(lead=lead).order_by("assigned_at", "id"))
    assert [h.to_owner_id for h in history] == [staff["account_manager"].pk, teammate.pk]
    assert history[-1].from_owner_id == staff["account_manager"].pk
    entry = (
        AuditEntry.objects.filter(object_type="lead", object_id=str(lead.pk)).order_by("pk").last()
    )
    assert entry.changes["owner_id"] == [staff["account_manager"].pk, teammate.pk]


def test_an_assignment_to_an_inactive_user_is_refused_naming_the_owner(make_lead, staff, teammate):
    lead = make_lead()
    teammate.is_active = False
    teammate.save()
    with pytest.raises(ValidationError) as refused:
        assign(staff, lead, owner_id=teammate.pk)
    assert "owner_id" in refused.value.message_dict
    lead.refresh_from_db()
    assert lead.owner_id == staff["account_manager"].pk and lead.version == 1


def test_a_team_lead_cannot_give_a_lead_outside_the_team(make_lead, staff):
    lead = make_lead()
    with pytest.raises(ValidationError) as refused:
        assign(staff, lead, owner_id=staff["other_manager"].pk)
    assert "owner_id" in refused.value.message_dict


def test_an_owner_at_capacity_takes_no_more_leads(make_lead, staff, teammate):
    AssigneeSetting.objects.create(user=teammate, max_open_leads=0)
    lead = make_lead()
    with pytest.raises(ValidationError) as refused:
        assign(staff, lead, owner_id=teammate.pk)
    assert "owner_id" in refused.value.message_dict


def test_round_robin_gives_the_lead_to_whose_turn_it_is(make_lead, staff, teammate):
    make_lead()  # the account manager had the last lead
    lead = make_lead(by="branch_manager")
    assigned = assign(staff, lead, by="branch_manager", team_id=staff["team_lead"].profile.team_id)
    assert assigned.owner_id in (teammate.pk, staff["team_lead"].pk)


def test_round_robin_skips_absent_members(make_lead, staff, teammate, org):
    tomorrow = timezone.localdate() + timedelta(days=1)
    AssigneeSetting.objects.create(user=teammate, absent_until=tomorrow)
    AssigneeSetting.objects.create(user=staff["team_lead"], absent_until=tomorrow)
    assert assignment.round_robin(org["north_team"].pk) == staff["account_manager"].pk


def test_round_robin_with_nobody_free_is_refused_naming_the_team(make_lead, staff, org):
    for user in (staff["account_manager"], staff["team_lead"]):
        AssigneeSetting.objects.create(user=user, max_open_leads=0)
    lead = make_lead(by="branch_manager")
    with pytest.raises(ValidationError) as refused:
        assign(staff, lead, by="branch_manager", team_id=org["north_team"].pk)
    assert "team_id" in refused.value.message_dict
    assert Lead.objects.get(pk=lead.pk).owner_id is None


def test_a_rule_assigns_a_marketers_lead_to_the_matching_team(make_lead, staff, org):
    AssignmentRule.objects.create(branch=org["north"], industry="制造业", team=org["north_team"])
    other = make_lead(by="marketer", source="campaign", industry="零售")
    lead = make_lead(by="marketer", source="campaign", industry="制造业")
    assert other.owner_id is None
    assert lead.owner_id in (staff["account_manager"].pk, staff["team_lead"].pk)
    assert LeadAssignment.objects.get(lead=lead).method == "rule"


def test_an_administrator_replaces_the_assignment_rules(api_as, org):
    rules = [{"branch_id": org["north"].pk, "industry": "制造业", "team_id": org["north_team"].pk}]
    response = api_as("admin").put(
        "/api/v1/leads/assignment-rules", {"rules": rules}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert AssignmentRule.objects.get().industry == "制造业"


def test_a_rule_with_a_team_of_another_branch_is_refused_naming_it(api_as, org):
    rules = [{"branch_id": org["north"].pk, "team_id": org["south_team"].pk}]
    response = api_as("admin").put(
        "/api/v1/leads/assignment-rules", {"rules": rules}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "rules.0.team_id"
    assert not AssignmentRule.objects.exists()


def test_a_team_lead_marks_a_team_member_absent(api_as, staff):
    user = staff["account_manager"]
    response = api_as("team_lead").put(
        f"/api/v1/leads/assignees/{user.pk}", {"absent_until": "2031-01-01"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert AssigneeSetting.objects.get(user=user).absent_until.isoformat() == "2031-01-01"


def test_a_team_lead_cannot_set_a_colleague_outside_the_team(api_as, staff):
    user = staff["other_manager"]
    response = api_as("team_lead").put(
        f"/api/v1/leads/assignees/{user.pk}", {"max_open_leads": 1},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 404
    assert not AssigneeSetting.objects.exists()
