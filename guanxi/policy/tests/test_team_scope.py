"""Team scope: a team lead sees, and works on, the records of their team's members."""

import pytest
from django.core.exceptions import ValidationError

from guanxi import policy
from guanxi.customers.models import Customer, LifecycleChange
from guanxi.org.models import Profile
from guanxi.org.roles import Role
from guanxi.org.services import create_staff
from guanxi.policy import Access, Viewer
from guanxi.policy.rules import IN_SCOPE, Action, Fields


@pytest.fixture
def portfolio(make_customer, staff, org):
    return {
        "team": make_customer("张三"),  # owned by the account manager in the lead's team
        "outside": make_customer("李四", owner_id=staff["other_manager"].pk),
        "south": make_customer(
            "王五", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk
        ),
    }


def lead(staff) -> Viewer:
    return Viewer.of(staff["team_lead"])


def test_team_lead_sees_the_customers_of_their_team_only(staff, portfolio):
    visible = policy.customer_scope(lead(staff), Customer.objects.all())
    assert set(visible.values_list("name", flat=True)) == {"张三"}


def test_the_compiled_scope_condition_gives_a_team_lead_the_same_customers(staff, portfolio):
    condition = policy.scope_condition(**policy.scope_values(lead(staff)))
    assert set(Customer.objects.filter(condition).values_list("name", flat=True)) == {"张三"}


def test_a_customer_moved_out_of_the_team_leaves_the_leads_scope(staff, portfolio, org):
    Profile.objects.filter(user=staff["account_manager"]).update(team=None)
    visible = policy.customer_scope(lead(staff), Customer.objects.all())
    assert not visible.exists()


def test_team_lead_may_edit_team_customers_and_not_others(staff, portfolio):
    assert policy.allows(lead(staff), "customer.edit", portfolio["team"])
    assert not policy.allows(lead(staff), "customer.edit", portfolio["outside"])


def test_team_lead_sees_team_phones_in_full_and_ids_masked(staff, portfolio):
    access = policy.field_access(lead(staff), [portfolio["team"], portfolio["outside"]])
    assert access[portfolio["team"].pk] == {
        "phone": Access.FULL,
        "id_number": Access.MASKED,
        "email": Access.FULL,
    }
    assert set(access[portfolio["outside"].pk].values()) == {Access.HIDDEN}


def test_the_scope_rule_serves_any_record_that_names_its_owner_and_branch(staff, portfolio):
    # Lifecycle changes reach owner and branch through their customer: the same rule,
    # given other column names, scopes them as it scopes customers.
    history_view = Action(
        "history.view",
        {Role.TEAM_LEAD: IN_SCOPE},
        Fields(owner="customer__owner_id", branch="customer__branch_id"),
    )
    changes = LifecycleChange.objects.filter(history_view.condition(lead(staff)))
    assert {c.customer_id for c in changes} == {portfolio["team"].pk}


def test_a_team_lead_needs_a_team(org):
    with pytest.raises(ValidationError) as refused:
        create_staff("lead2", "pw-123456789", [Role.TEAM_LEAD], org["north"], None)
    assert "team_id" in refused.value.message_dict
    assert not Profile.objects.filter(user__username="lead2").exists()


def test_a_team_must_be_of_the_users_branch(org):
    with pytest.raises(ValidationError) as refused:
        create_staff("lead2", "pw-123456789", [Role.TEAM_LEAD], org["north"], org["south_team"])
    assert "team_id" in refused.value.message_dict
    assert not Profile.objects.filter(user__username="lead2").exists()


def test_a_team_lead_who_also_manages_customers_is_scoped_by_the_team_alone(
    staff, portfolio, make_customer
):
    Profile.objects.filter(user=staff["team_lead"]).update(
        roles=[Role.TEAM_LEAD.value, Role.ACCOUNT_MANAGER.value]
    )
    make_customer("赵六", owner_id=staff["team_lead"].pk)
    both = Viewer.of(Profile.objects.get(user=staff["team_lead"]).user)
    condition = policy.customer_scope(both, Customer.objects.all())
    # The own-records part is inside the team's, and an OR would hide the owner index.
    assert " OR " not in str(condition.query)
    assert set(condition.values_list("name", flat=True)) == {"张三", "赵六"}


def test_an_account_manager_without_a_team_still_sees_their_own_customers(
    staff, portfolio, make_customer
):
    Profile.objects.filter(user=staff["team_lead"]).update(
        roles=[Role.TEAM_LEAD.value, Role.ACCOUNT_MANAGER.value], team=None
    )
    make_customer("赵六", owner_id=staff["team_lead"].pk)
    alone = Viewer.of(Profile.objects.get(user=staff["team_lead"]).user)
    visible = policy.customer_scope(alone, Customer.objects.all())
    assert set(visible.values_list("name", flat=True)) == {"赵六"}
