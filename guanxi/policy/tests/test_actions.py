"""The action table: one list of who may do what, asked by services, navigation and pages."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse

from guanxi import policy
from guanxi.audit.services import RequestContext
from guanxi.customers import groups
from guanxi.customers.models import CustomerGroup
from guanxi.org.roles import Role
from guanxi.policy import Viewer
from guanxi.policy.activities import LEAD_ACTION_OF, ON_LEAD
from guanxi.web.context import NAV_ENTRIES, nav_items

CONTEXT = RequestContext(channel="test")


def test_every_action_names_only_known_roles():
    for action in policy.ACTIONS.values():
        assert set(action.roles()) <= set(Role.values), action.name


def test_the_table_holds_the_actions_the_issue_names():
    named = {"customer.view", "customer.edit", "customer.reveal", "group.delete", "audit.read"}
    assert named | {"analysis.run", "customer.transfer"} <= set(policy.ACTIONS)


def test_an_unknown_action_is_an_error_not_a_refusal(staff):
    with pytest.raises(KeyError):
        policy.allows(Viewer.of(staff["admin"]), "customer.teleport")


def test_require_refuses_with_permission_denied(staff):
    with pytest.raises(PermissionDenied):
        policy.require(Viewer.of(staff["marketer"]), "audit.read")
    policy.require(Viewer.of(staff["auditor"]), "audit.read")


@pytest.mark.parametrize("role", ["admin", "auditor", "marketer", "account_manager"])
def test_navigation_shows_what_the_action_table_allows(staff, role):
    viewer = Viewer.of(staff[role])
    shown = {item.key for item in nav_items(viewer, "")}
    for entry in NAV_ENTRIES:
        built = _resolves(entry.url_name)
        expected = built and (entry.action is None or policy.allows(viewer, entry.action))
        assert (entry.key in shown) == expected, entry.key


def _resolves(url_name: str) -> bool:
    try:
        reverse(url_name)
    except NoReverseMatch:
        return False
    return True


@pytest.fixture
def admins_group(staff):
    return groups.group_create(
        viewer=Viewer.of(staff["admin"]), name="高净值", kind="static", saved_filter={}
    )


def test_an_account_manager_cannot_delete_an_administrators_group(staff, admins_group):
    with pytest.raises(PermissionDenied):
        groups.group_delete(
            viewer=Viewer.of(staff["account_manager"]), group_id=admins_group.pk, context=CONTEXT
        )
    assert CustomerGroup.objects.filter(pk=admins_group.pk).exists()


def test_an_account_manager_cannot_change_an_administrators_group(
    staff, admins_group, make_customer
):
    mine = make_customer()
    manager = Viewer.of(staff["account_manager"])
    with pytest.raises(PermissionDenied):
        groups.group_change_members(
            viewer=manager, group_id=admins_group.pk, add=[mine.pk], remove=[], context=CONTEXT
        )
    assert not admins_group.members.exists()


def test_a_groups_creator_may_delete_it(staff):
    manager = Viewer.of(staff["account_manager"])
    group = groups.group_create(viewer=manager, name="我的客户", kind="static", saved_filter={})
    groups.group_delete(viewer=manager, group_id=group.pk, context=CONTEXT)
    assert not CustomerGroup.objects.filter(pk=group.pk).exists()


def test_an_administrator_may_delete_anyones_group(staff):
    group = groups.group_create(
        viewer=Viewer.of(staff["marketer"]), name="活动名单", kind="static", saved_filter={}
    )
    groups.group_delete(viewer=Viewer.of(staff["admin"]), group_id=group.pk, context=CONTEXT)
    assert not CustomerGroup.objects.filter(pk=group.pk).exists()


@pytest.mark.parametrize("name", ["activity.view", "activity.log", "activity.edit"])
def test_an_activity_about_a_lead_takes_its_roles_from_the_activity_and_its_reach_from_the_lead(
    name,
):
    on_lead = policy.action(ON_LEAD[name])
    lead_action = policy.action(LEAD_ACTION_OF[name])
    assert on_lead.roles() == policy.roles_for(name) & lead_action.roles()
    assert all(on_lead.rules[r] is lead_action.rules[r] for r in on_lead.rules)
    assert Role.SERVICE_AGENT not in on_lead.roles()
