"""The action table: one list of who may do what, asked by services, navigation and pages."""

import pytest
from django.core.exceptions import PermissionDenied

from guanxi import policy
from guanxi.audit.services import RequestContext
from guanxi.customers import groups
from guanxi.customers.models import CustomerGroup
from guanxi.org.roles import Role
from guanxi.policy import Viewer
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
        expected = entry.action is None or policy.allows(viewer, entry.action)
        assert (entry.key in shown) == expected, entry.key


@pytest.fixture
def admins_group(staff):
    return groups.create_group(Viewer.of(staff["admin"]), "高净值", "static", {})


def test_an_account_manager_cannot_delete_an_administrators_group(staff, admins_group):
    with pytest.raises(PermissionDenied):
        groups.delete_group(Viewer.of(staff["account_manager"]), admins_group.pk, CONTEXT)
    assert CustomerGroup.objects.filter(pk=admins_group.pk).exists()


def test_an_account_manager_cannot_change_an_administrators_group(
    staff, admins_group, make_customer
):
    mine = make_customer()
    manager = Viewer.of(staff["account_manager"])
    with pytest.raises(PermissionDenied):
        groups.change_group_members(manager, admins_group.pk, [mine.pk], [], CONTEXT)
    assert not admins_group.members.exists()


def test_a_groups_creator_may_delete_it(staff):
    manager = Viewer.of(staff["account_manager"])
    group = groups.create_group(manager, "我的客户", "static", {})
    groups.delete_group(manager, group.pk, CONTEXT)
    assert not CustomerGroup.objects.filter(pk=group.pk).exists()


def test_an_administrator_may_delete_anyones_group(staff):
    group = groups.create_group(Viewer.of(staff["marketer"]), "活动名单", "static", {})
    groups.delete_group(Viewer.of(staff["admin"]), group.pk, CONTEXT)
    assert not CustomerGroup.objects.filter(pk=group.pk).exists()
