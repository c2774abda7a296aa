"""Whose figures each role reads: their own, their team's, their branch's, everyone's; and a
branch, team or owner out of reach reads as missing."""

import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from guanxi import policy
from guanxi.kpis.scope import kpi_scope_for_user
from guanxi.kpis.selectors import kpi_choices_for_user, process_kpis_for_user
from guanxi.kpis.tests.conftest import Q2


def owners_seen(staff, role: str, **narrow) -> set:
    viewer = policy.Viewer.of(staff[role])
    data = process_kpis_for_user(scope=kpi_scope_for_user(viewer=viewer, **narrow), period=Q2)
    return {g["key"] for g in data["groups"]}


def test_an_account_manager_reads_only_their_own_figures(staff, quarter):
    assert owners_seen(staff, "account_manager") == {staff["account_manager"].pk}


def test_a_team_lead_reads_their_teams_members(staff, quarter):
    assert owners_seen(staff, "team_lead") == {staff["account_manager"].pk}


def test_a_branch_manager_reads_their_branch_with_its_unassigned_leads(staff, quarter):
    seen = owners_seen(staff, "branch_manager")
    assert seen == {staff["account_manager"].pk, staff["other_manager"].pk, None}


def test_an_analyst_reads_every_branch(staff, quarter):
    assert staff["south_manager"].pk in owners_seen(staff, "analyst")


def test_the_total_is_of_the_viewers_scope_only(staff, quarter):
    viewer = policy.Viewer.of(staff["account_manager"])
    data = process_kpis_for_user(scope=kpi_scope_for_user(viewer=viewer), period=Q2)
    assert data["total"]["revenue"]["revenue"] == 1300  # not the south's 700


def test_narrowing_to_an_owner_keeps_only_their_rows(staff, quarter):
    assert owners_seen(staff, "admin", owner_id=staff["other_manager"].pk) == {
        staff["other_manager"].pk
    }


@pytest.mark.parametrize(
    ("role", "narrow"),
    [
        ("account_manager", {"owner_id": "other_manager"}),
        ("team_lead", {"owner_id": "other_manager"}),
        ("branch_manager", {"owner_id": "south_manager"}),
        ("branch_manager", {"branch_id": "south"}),
        ("branch_manager", {"team_id": "south_team"}),
        ("account_manager", {"team_id": "south_team"}),
        ("admin", {"branch_id": 999999}),
    ],
)
def test_a_branch_team_or_owner_out_of_reach_reads_as_missing(staff, org, role, narrow):
    names = {**staff, **org}
    given = {k: v if isinstance(v, int) else names[v].pk for k, v in narrow.items()}
    with pytest.raises(ObjectDoesNotExist):
        kpi_scope_for_user(viewer=policy.Viewer.of(staff[role]), **given)


@pytest.mark.parametrize("role", ["service_agent", "marketer", "auditor"])
def test_roles_without_process_kpis_are_refused(staff, role):
    with pytest.raises(PermissionDenied):
        kpi_scope_for_user(viewer=policy.Viewer.of(staff[role]))


def test_an_unknown_grouping_is_invalid_and_named(staff):
    with pytest.raises(ValidationError) as refused:
        kpi_scope_for_user(viewer=policy.Viewer.of(staff["admin"]), group_by="customer")
    assert "group_by" in refused.value.message_dict


def test_the_choices_offer_only_colleagues_in_reach(staff, org):
    choices = kpi_choices_for_user(viewer=policy.Viewer.of(staff["team_lead"]))
    assert {pk for pk, _name in choices["owners"]} == {
        staff["team_lead"].pk, staff["account_manager"].pk,
    }  # fmt: skip
    assert [pk for pk, _name in choices["teams"]] == [org["north_team"].pk]
    assert [pk for pk, _name in choices["branches"]] == [org["north"].pk]
