"""The permission policy: record scope, field access per role, grants."""

import pytest

from guanxi import policy
from guanxi.customers.models import Customer
from guanxi.policy import Access, Viewer


def viewer(staff, role: str) -> Viewer:
    return Viewer.of(staff[role])


def visible_names(staff, role: str) -> set[str]:
    return set(
        policy.customer_scope(viewer(staff, role), Customer.objects.all()).values_list(
            "name", flat=True
        )
    )


@pytest.fixture
def portfolio(make_customer, staff, org):
    return {
        "mine": make_customer("张三"),
        "colleague": make_customer("李四", owner_id=staff["other_manager"].pk),
        "south": make_customer(
            "王五", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk
        ),
    }


def test_account_manager_sees_only_own_portfolio(staff, portfolio):
    assert visible_names(staff, "account_manager") == {"张三"}


def test_branch_manager_sees_own_branch(staff, portfolio):
    assert visible_names(staff, "branch_manager") == {"张三", "李四"}


@pytest.mark.parametrize("role", ["admin", "service_agent", "marketer", "analyst", "auditor"])
def test_head_office_roles_see_everything(staff, portfolio, role):
    assert visible_names(staff, role) == {"张三", "李四", "王五"}


def test_user_without_roles_sees_nothing(db, portfolio):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody")
    assert not policy.customer_scope(Viewer.of(nobody), Customer.objects.all()).exists()


def _both_scope_forms(viewer: Viewer) -> tuple[set[str], set[str]]:
    queryset = policy.customer_scope(viewer, Customer.objects.all())
    condition = policy.scope_condition(**policy.scope_values(viewer))
    return (
        set(queryset.values_list("name", flat=True)),
        set(Customer.objects.filter(condition).values_list("name", flat=True)),
    )


@pytest.mark.parametrize("role", ["admin", "branch_manager", "account_manager", "marketer"])
def test_the_compiled_scope_condition_sees_what_the_scope_sees(staff, portfolio, role):
    by_queryset, by_condition = _both_scope_forms(viewer(staff, role))
    assert by_condition == by_queryset


def test_the_compiled_scope_condition_of_combined_and_missing_roles(db, staff, portfolio, org):
    from dataclasses import replace

    manager = viewer(staff, "account_manager")
    own_and_south = replace(
        manager, roles=frozenset({"account_manager", "branch_manager"}), branch_id=org["south"].pk
    )
    no_branch = replace(manager, roles=frozenset({"branch_manager"}), branch_id=None)
    nobody = replace(manager, roles=frozenset())
    assert _both_scope_forms(own_and_south) == ({"张三", "王五"},) * 2
    assert _both_scope_forms(no_branch) == (set(), set())
    assert _both_scope_forms(nobody) == (set(), set())


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        ("branch_manager", "branch"),
        ("account_manager", "owner"),
        ("team_lead", None),
        ("admin", None),
        ("marketer", None),
    ],
)
def test_the_scope_unit_is_the_branch_or_portfolio_the_scope_holds_exactly(
    staff, portfolio, role, unit
):
    found = policy.scope_unit(viewer(staff, role))
    assert (found and found[0]) == unit
    if found:
        name, key = found
        assert visible_names(staff, role) == set(
            Customer.objects.filter(**{f"{name}_id": key}).values_list("name", flat=True)
        )


def test_several_scopes_at_once_have_no_scope_unit(db, staff, org):
    from dataclasses import replace

    manager = viewer(staff, "account_manager")
    both = replace(manager, roles=frozenset({"account_manager", "branch_manager"}))
    no_branch = replace(manager, roles=frozenset({"branch_manager"}), branch_id=None)
    assert policy.scope_unit(both) is None and policy.scope_unit(no_branch) is None


@pytest.mark.parametrize(
    ("role", "phone", "id_number", "email"),
    [
        ("admin", Access.FULL, Access.FULL, Access.FULL),
        ("account_manager", Access.FULL, Access.FULL, Access.FULL),
        ("branch_manager", Access.FULL, Access.MASKED, Access.FULL),
        ("service_agent", Access.MASKED, Access.MASKED, Access.MASKED),
        ("marketer", Access.MASKED, Access.HIDDEN, Access.MASKED),
        ("analyst", Access.MASKED, Access.HIDDEN, Access.MASKED),
        ("auditor", Access.MASKED, Access.MASKED, Access.MASKED),
    ],
)
def test_field_access_by_role(staff, portfolio, role, phone, id_number, email):
    customer = portfolio["mine"]
    access = policy.field_access(viewer(staff, role), [customer])[customer.pk]
    assert access == {"phone": phone, "id_number": id_number, "email": email}


def test_a_second_role_only_widens_access_within_its_scope(staff, portfolio):
    profile = staff["account_manager"].profile
    profile.roles = ["account_manager", "marketer"]
    profile.save()
    me = viewer(staff, "account_manager")
    access = policy.field_access(me, [portfolio["mine"], portfolio["south"]])
    assert access[portfolio["mine"].pk]["id_number"] is Access.FULL
    assert access[portfolio["south"].pk]["id_number"] is Access.HIDDEN


def test_field_grant_gives_full_phone_for_that_customer_only(staff, portfolio):
    mine, other = portfolio["mine"], portfolio["colleague"]

    def open_case_grant(viewer, ids):
        return {mine.pk: {"phone"}} if mine.pk in ids else {}

    policy.register_field_grant(open_case_grant)
    try:
        access = policy.field_access(viewer(staff, "service_agent"), [mine, other])
    finally:
        policy.unregister_field_grant(open_case_grant)
    assert access[mine.pk]["phone"] is Access.FULL
    assert access[other.pk]["phone"] is Access.MASKED


def test_edit_rights_follow_scope_and_role(staff, portfolio):
    mine, colleague = portfolio["mine"], portfolio["colleague"]

    def may_edit(role, customer):
        return policy.allows(viewer(staff, role), "customer.edit", customer)

    assert may_edit("account_manager", mine)
    assert not may_edit("account_manager", colleague)
    assert may_edit("branch_manager", colleague)
    assert not may_edit("marketer", mine)
    assert not may_edit("service_agent", mine)
