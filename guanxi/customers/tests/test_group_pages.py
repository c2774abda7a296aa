"""The group pages and the customer list's bulk actions, through Django's test client."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.audit.models import AuditEntry
from guanxi.customers.models import Customer, CustomerGroup, GroupKind, GroupMembership
from guanxi.web.tests.support import client_for

PHONE = "13812345678"


@pytest.fixture
def north(make_customer) -> list[Customer]:
    tiers = ["standard", "gold", "gold"]
    return [make_customer(f"北客户{n}", value_tier=t, phone=PHONE) for n, t in enumerate(tiers)]


def static_group(staff, role: str = "marketer", name: str = "名单") -> CustomerGroup:
    return CustomerGroup.objects.create(name=name, kind=GroupKind.STATIC, created_by=staff[role])


def members(group: CustomerGroup) -> list[int]:
    return sorted(GroupMembership.objects.filter(group=group).values_list("customer_id", flat=True))


def text(response) -> str:
    return response.content.decode()


def test_the_list_offers_a_checkbox_per_row_and_the_bulk_bar_to_a_marketer(staff, north):
    page = text(client_for(staff["marketer"]).get("/customers/"))
    assert page.count('name="customer_ids"') == len(north)
    assert 'id="bulk-add-to-group"' in page
    assert 'id="bulk-assign-owner"' not in page  # marketers do not assign owners
    assert '<option value="matching">' in page


def test_the_list_offers_no_bulk_actions_to_an_analyst(staff, north):
    page = text(client_for(staff["analyst"]).get("/customers/"))
    assert 'name="customer_ids"' not in page
    assert "bulk-form" not in page


def test_the_bulk_page_counts_the_ticked_customers(staff, north):
    client = client_for(staff["marketer"])
    response = client.get("/customers/bulk/", {"action": "group", "customer_ids": [north[0].pk]})
    assert response.status_code == 200
    assert 'data-selected="1"' in text(response)


def test_ticked_customers_are_added_to_a_new_group_named_on_the_spot(staff, north):
    client = client_for(staff["marketer"])
    ids = [north[0].pk, north[1].pk]
    response = client.post(
        "/customers/bulk/",
        {"action": "group", "selection": "ticked", "customer_ids": ids, "new_group_name": "春节"},
    )
    assert response.status_code == 302
    group = CustomerGroup.objects.get(name="春节")
    assert group.created_by == staff["marketer"]
    assert members(group) == sorted(ids)


def test_every_customer_matching_the_filters_is_added_to_an_existing_group(staff, north):
    group = static_group(staff)
    client = client_for(staff["marketer"])
    body = {
        "action": "group",
        "selection": "matching",
        "value_tier": "gold",
        "target_group": group.pk,
    }
    assert client.post("/customers/bulk/", body).status_code == 302
    assert members(group) == sorted(c.pk for c in north[1:])


def test_a_selection_above_the_limit_is_refused_and_adds_nobody(staff, north, settings):
    settings.GUANXI_BULK_MAX_CUSTOMERS = 2
    group = static_group(staff)
    client = client_for(staff["marketer"])
    body = {"action": "group", "selection": "matching", "target_group": group.pk}
    response = client.post("/customers/bulk/", body)
    assert response.status_code == 422
    assert "data-selection-refused" in text(response)
    assert members(group) == []


def test_a_group_of_someone_else_is_not_offered_and_is_refused(staff, north):
    group = static_group(staff, role="admin")
    client = client_for(staff["marketer"])
    body = {"action": "group", "customer_ids": [north[0].pk], "target_group": group.pk}
    response = client.post("/customers/bulk/", body)
    assert response.status_code == 422  # not among the choices
    assert members(group) == []


def test_a_branch_manager_assigns_an_owner_from_the_list(staff, north):
    client = client_for(staff["branch_manager"])
    ids = [c.pk for c in north]
    body = {"action": "owner", "customer_ids": ids, "new_owner": staff["other_manager"].pk}
    response = client.post("/customers/bulk/", body)
    assert response.status_code == 302
    owners = set(Customer.objects.filter(pk__in=ids).values_list("owner_id", flat=True))
    assert owners == {staff["other_manager"].pk}


def test_the_owner_choices_are_the_managers_the_viewer_may_give_customers_to(staff, north):
    params = {"action": "owner", "customer_ids": [north[0].pk]}
    response = client_for(staff["team_lead"]).get("/customers/bulk/", params)
    choices = text(response)
    assert "李经理" in choices  # in the team lead's team
    assert "赵经理" not in choices  # same branch, another team
    assert "孙经理" not in choices  # another branch


def test_an_account_manager_may_not_open_the_owner_assignment(staff, north):
    client = client_for(staff["account_manager"])
    body = {
        "action": "owner",
        "customer_ids": [north[0].pk],
        "new_owner": staff["other_manager"].pk,
    }
    assert client.post("/customers/bulk/", body).status_code == 403
    assert Customer.objects.get(pk=north[0].pk).owner_id == staff["account_manager"].pk


def test_the_lists_filters_are_saved_as_a_group(staff, north):
    client = client_for(staff["marketer"])
    body = {"kind": "saved_filter", "name": "金卡客户", "value_tier": "gold", "page": "2"}
    response = client.post("/customers/groups/", body)
    group = CustomerGroup.objects.get(name="金卡客户")
    assert response.status_code == 302
    assert group.kind == GroupKind.SAVED_FILTER
    assert group.filter == {"value_tier": "gold"}


def test_a_search_by_id_number_may_not_be_saved_by_a_role_it_is_hidden_from(staff, north):
    client = client_for(staff["marketer"])
    body = {"kind": "saved_filter", "name": "身份证名单", "q": north[0].id_number}
    response = client.post("/customers/groups/", body, follow=True)
    assert not CustomerGroup.objects.exists()
    assert response.redirect_chain[-1][0].startswith("/customers/?q=")  # back to the list
    assert "alert-danger" in text(response)


def test_a_static_group_is_made_on_the_groups_page(staff):
    client = client_for(staff["marketer"])
    response = client.post("/customers/groups/", {"kind": "static", "name": "新名单"})
    assert response.status_code == 302
    assert CustomerGroup.objects.get(name="新名单").kind == GroupKind.STATIC


def test_the_groups_page_lists_every_group_as_the_api_does(staff, api_as):
    static_group(staff, role="admin", name="管理员名单")
    static_group(staff, name="市场名单")
    page = text(client_for(staff["account_manager"]).get("/customers/groups/"))
    listed = {g["name"] for g in api_as("account_manager").get("/api/v1/customers/groups").json()}
    assert listed == {"管理员名单", "市场名单"}
    assert all(name in page for name in listed)


def test_a_groups_members_are_shown_masked_as_in_the_list(staff, north):
    group = static_group(staff)
    GroupMembership.objects.create(group=group, customer=north[0])
    page = text(client_for(staff["marketer"]).get(f"/customers/groups/{group.pk}/"))
    assert "北客户0" in page and "北客户1" not in page
    assert PHONE not in page  # marketers see phone numbers masked
    assert 'id="members-form"' in page


def test_a_saved_filter_groups_members_follow_its_filter(staff, north):
    group = CustomerGroup.objects.create(
        name="金卡", kind=GroupKind.SAVED_FILTER, filter={"value_tier": "gold"}
    )
    page = text(client_for(staff["admin"]).get(f"/customers/groups/{group.pk}/"))
    assert "北客户1" in page and "北客户2" in page and "北客户0" not in page
    assert 'id="members-form"' not in page  # members of a saved filter follow the filter


def test_the_group_page_takes_the_same_queries_for_any_number_of_members(staff, make_customer):
    group = static_group(staff)
    client = client_for(staff["marketer"])

    def queries() -> int:
        url = f"/customers/groups/{group.pk}/"
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for name in ("甲", "乙"):  # an audit entry naming one customer is one statement
        GroupMembership.objects.create(group=group, customer=make_customer(name))
    few = queries()
    for n in range(20):
        GroupMembership.objects.create(group=group, customer=make_customer(f"客户{n}"))
    assert queries() == few
    audit = 1 if connection.vendor == "postgresql" else 2
    # Session, user and profile; the group; the list's checks of the group filter (that it
    # exists, then whether it is static, for the rows and the count); rows; count; audit.
    assert few == 9 + audit


def test_the_creator_removes_ticked_members(staff, north):
    group = static_group(staff)
    for customer in north:
        GroupMembership.objects.create(group=group, customer=customer)
    client = client_for(staff["marketer"])
    response = client.post(
        f"/customers/groups/{group.pk}/members/", {"customer_ids": [north[0].pk]}
    )
    assert response.status_code == 302
    assert members(group) == sorted(c.pk for c in north[1:])


def test_someone_else_may_not_remove_members_and_nothing_changes(staff, north):
    group = static_group(staff, role="admin")
    GroupMembership.objects.create(group=group, customer=north[0])
    entries = AuditEntry.objects.count()
    client = client_for(staff["marketer"])
    response = client.post(
        f"/customers/groups/{group.pk}/members/", {"customer_ids": [north[0].pk]}
    )
    assert response.status_code == 403
    assert members(group) == [north[0].pk]
    assert AuditEntry.objects.count() == entries


def test_the_creator_deletes_a_group_and_others_may_not(staff):
    group = static_group(staff)
    refused = client_for(staff["account_manager"]).post(f"/customers/groups/{group.pk}/delete/")
    assert refused.status_code == 403
    assert CustomerGroup.objects.filter(pk=group.pk).exists()
    page = text(client_for(staff["account_manager"]).get(f"/customers/groups/{group.pk}/"))
    assert 'id="group-delete"' not in page
    done = client_for(staff["marketer"]).post(f"/customers/groups/{group.pk}/delete/")
    assert done.status_code == 302
    assert not CustomerGroup.objects.filter(pk=group.pk).exists()


def test_an_unknown_group_is_a_404(staff):
    assert client_for(staff["admin"]).get("/customers/groups/987654/").status_code == 404
