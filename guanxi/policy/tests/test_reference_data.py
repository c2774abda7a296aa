"""Reference data through the policy: staff and group lists show only what the caller may."""

import pytest

from guanxi import policy
from guanxi.audit.services import RequestContext
from guanxi.conftest import resident_id
from guanxi.customers import groups
from guanxi.policy import Viewer

CONTEXT = RequestContext(channel="test")
ID_NUMBER = resident_id()


@pytest.fixture
def id_search_group(staff):
    return groups.group_create(
        viewer=Viewer.of(staff["admin"]),
        name="查证件",
        kind="saved_filter",
        saved_filter={"q": ID_NUMBER, "status": "new"},
    )


def _group(client, group_id):
    return next(g for g in client.get("/api/v1/customers/groups").json() if g["id"] == group_id)


def test_an_administrator_sees_a_saved_id_search_in_full(api_as, id_search_group):
    assert _group(api_as("admin"), id_search_group.pk)["filter"]["q"] == ID_NUMBER


def test_a_saved_id_search_is_masked_for_who_sees_ids_masked(api_as, id_search_group):
    shown = _group(api_as("service_agent"), id_search_group.pk)["filter"]
    assert shown == {"q": policy.mask_id_number(ID_NUMBER), "status": "new"}


@pytest.mark.parametrize("role", ["marketer", "account_manager", "branch_manager"])
def test_a_saved_id_search_is_withheld_from_who_does_not_see_every_id(
    api_as, id_search_group, role
):
    # An account manager sees full IDs of their own customers only, not of everyone's; a
    # branch manager sees IDs masked in their branch only.
    shown = _group(api_as(role), id_search_group.pk)["filter"]
    assert shown == {"q": None, "status": "new"}


def test_a_saved_name_search_is_shown_to_everyone(api_as, staff):
    group = groups.group_create(
        viewer=Viewer.of(staff["admin"]), name="姓张", kind="saved_filter", saved_filter={"q": "张"}
    )
    assert _group(api_as("marketer"), group.pk)["filter"] == {"q": "张"}


def test_the_group_list_says_who_may_delete(api_as, staff, id_search_group):
    assert _group(api_as("admin"), id_search_group.pk)["can_delete"] is True
    assert _group(api_as("account_manager"), id_search_group.pk)["can_delete"] is False


def test_member_counts_count_only_the_callers_customers(api_as, staff, make_customer, org):
    mine = make_customer("张三")
    south = make_customer("王五", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)
    manager = Viewer.of(staff["account_manager"])
    group = groups.group_create(viewer=manager, name="名单", kind="static", saved_filter={})
    groups.group_change_members(
        viewer=Viewer.of(staff["admin"]),
        group_id=group.pk,
        add=[south.pk],
        remove=[],
        context=CONTEXT,
    )
    answer = api_as("account_manager").post(
        f"/api/v1/customers/groups/{group.pk}/members",
        {"add": [mine.pk]},
        content_type="application/json",
    )
    assert answer.json() == {"member_count": 1}
    assert group.members.count() == 2


def _staff(client):
    return {s["username"]: s for s in client.get("/api/v1/org/staff").json()}


def test_an_administrator_lists_all_staff_with_roles(api_as, staff):
    listed = _staff(api_as("admin"))
    assert set(listed) == {u.username for u in staff.values()}
    assert listed["am3"]["roles"] == ["account_manager"]


def test_a_branch_manager_lists_their_branchs_staff_with_roles(api_as, staff):
    listed = _staff(api_as("branch_manager"))
    assert set(listed) == {"bm", "lead", "am", "am2"}
    assert listed["am"]["roles"] == ["account_manager"]


def test_an_account_manager_lists_branch_colleagues_without_roles(api_as, staff):
    listed = _staff(api_as("account_manager"))
    assert set(listed) == {"bm", "lead", "am", "am2"}
    assert {s["roles"] for s in listed.values()} == {None}


def test_head_office_staff_list_head_office_colleagues(api_as, staff):
    listed = _staff(api_as("marketer"))
    assert set(listed) == {"admin", "agent", "marketer", "analyst", "auditor"}
    assert {s["roles"] for s in listed.values()} == {None}


def test_the_audit_log_shows_a_saved_id_search_as_group_lists_do(api_as, id_search_group):
    entries = api_as("auditor").get("/api/v1/audit", {"object_type": "group"}).json()
    created = next(e for e in entries if e["object_id"] == str(id_search_group.pk))
    assert created["changes"]["filter"][1]["q"] == policy.mask_id_number(ID_NUMBER)
    assert ID_NUMBER not in str(created)
