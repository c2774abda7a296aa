"""List pages compiled once per shape find what the same query built afresh finds, and
saved filters find every match."""

import dataclasses

import pytest

from guanxi import policy
from guanxi.compiled_query import ShapedQuery
from guanxi.customers import list_query
from guanxi.customers.models import Customer, CustomerGroup, Tag
from guanxi.org.roles import Role
from guanxi.policy import Viewer

WINDOWS = [slice(0, 3), slice(2, 5)]


@pytest.fixture
def people(make_customer, org, staff):
    made = [
        make_customer("张三"),
        make_customer("张小明", phone="13912340000", email="xm@example.com"),
        make_customer("李四", owner_id=staff["other_manager"].pk),
        make_customer("王五", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk),
        make_customer("Zhang Industries", kind="organisation", external_id="ERP-77"),
    ]
    Customer.objects.filter(pk__in=[made[0].pk, made[2].pk]).update(status="loyal")
    Customer.objects.filter(pk=made[1].pk).update(status="new", value_tier="gold")
    Tag.objects.create(name="高净值").customers.add(made[0], made[3])
    CustomerGroup.objects.create(name="名单", kind="static").members.add(made[1], made[2])
    CustomerGroup.objects.create(name="金卡", kind="saved_filter", filter={"value_tier": "gold"})
    return made


def _names(rows: list[dict]) -> list[str]:
    return [r["name"] for r in rows]


@pytest.mark.parametrize("role", ["admin", "branch_manager", "account_manager"])
@pytest.mark.parametrize(
    ("clean", "query"),
    [
        ({}, ""),
        ({"status": "loyal"}, ""),
        ({"status": "new"}, ""),
        ({"value_tier": "gold"}, ""),
        ({}, "zhang"),
        ({}, "zs"),
        ({}, "li"),
        ({}, "张"),
        ({}, "李四"),
        ({}, "0000"),
        ({}, "13912340000"),
        ({}, "xm@example.com"),
        ({}, "ERP-77"),
        ({"status": "loyal"}, "zhang"),
        ({"tag": "高净值"}, ""),
        ({"group": "名单"}, ""),
        ({"group": "名单", "tag": "高净值"}, "zhang"),
    ],
)
def test_compiled_pages_equal_pages_built_afresh(staff, people, role, clean, query):
    viewer = Viewer.of(staff[role])
    if "group" in clean:
        clean = {k: v for k, v in clean.items() if k != "group"}
        clean["group_id"] = CustomerGroup.objects.get(name="名单").pk
    for sort in ("name", "-created_at"):
        for window in WINDOWS:
            shape, values, compilable = list_query.page_shape(viewer, clean, query, sort, window)
            assert compilable
            fresh = list(list_query._page(shape, **values))
            assert list_query.page_rows(viewer, clean, query, sort, window) == fresh


ROLE_MIXES = [
    (Role.ADMINISTRATOR,),
    (Role.BRANCH_MANAGER,),
    (Role.ACCOUNT_MANAGER,),
    (Role.ACCOUNT_MANAGER, Role.BRANCH_MANAGER),
    (Role.ACCOUNT_MANAGER, Role.MARKETER),
    (Role.TEAM_LEAD,),
    (Role.SERVICE_AGENT,),
]


def _reference_page(viewer: Viewer, clean: dict, query: str, sort: str, window: slice):
    # Built as plainly as can be: the policy's own scope, the saved-filter code, no shapes.
    customers = policy.customer_scope(viewer, Customer.objects.all())
    customers = list_query.apply_list_filter(customers, {**clean, "q": query})
    customers = customers.order_by(*list_query.SORTS[sort]).annotate(**list_query.SHOWN_NAMES)
    rows = list(customers.values(*list_query.LIST_VALUES)[window])
    # A handful of matches are all ranked.
    return [{**row, "search_capped": False} for row in rows] if query else rows


@pytest.mark.parametrize("roles", ROLE_MIXES, ids=["+".join(m) for m in ROLE_MIXES])
@pytest.mark.parametrize(
    ("clean", "query"),
    [({}, ""), ({"status": "loyal"}, ""), ({}, "zhang"), ({}, "张"), ({"owner_id": "am"}, "")],
)
def test_compiled_pages_equal_the_policys_scope_for_every_role_mix(
    staff, people, roles, clean, query
):
    viewer = dataclasses.replace(Viewer.of(staff["account_manager"]), roles=frozenset(roles))
    if "owner_id" in clean:  # the list's owner filter beside the scope's owner term
        clean = {"owner_id": staff["account_manager"].pk}
    for sort in ("name", "-created_at"):
        for window in [*WINDOWS, slice(0, 9)]:
            expected = _reference_page(viewer, clean, query, sort, window)
            assert list_query.page_rows(viewer, clean, query, sort, window) == expected
    # Rows were compared, not two empty lists.
    assert list_query.page_rows(viewer, clean, query, "name", slice(0, 9))


def test_a_viewer_without_a_customer_role_sees_an_empty_list(staff, people):
    viewer = dataclasses.replace(Viewer.of(staff["account_manager"]), roles=frozenset())
    assert list_query.page_rows(viewer, {}, "", "name", slice(0, 9)) == []
    assert list_query.page_rows(viewer, {}, "zhang", "name", slice(0, 9)) == []


def test_one_shape_serves_other_values(staff, people):
    admin = Viewer.of(staff["admin"])
    page = slice(0, 10)

    def names(clean: dict, query: str = "") -> list[str]:
        return _names(list_query.page_rows(admin, clean, query, "name", page))

    assert names({"status": "loyal"}) == ["李四", "张三"]
    assert names({"status": "new"}) == ["张小明"]
    assert names({}, "zhang") == ["Zhang Industries", "张三", "张小明"]
    assert names({}, "li") == ["李四"]
    assert names({}, "张小") == ["张小明"]
    assert names({}, "王") == ["王五"]
    assert names({"tag": "高净值"}) == ["王五", "张三"]
    assert names({"group_id": CustomerGroup.objects.get(name="名单").pk}) == ["李四", "张小明"]


def test_a_saved_filter_group_is_read_afresh_as_its_definition_changes(staff, people):
    admin = Viewer.of(staff["admin"])
    group = CustomerGroup.objects.get(name="金卡")
    clean = {"group_id": group.pk}
    assert not list_query.page_shape(admin, clean, "", "name", slice(0, 9))[2]
    assert _names(list_query.page_rows(admin, clean, "", "name", slice(0, 9))) == ["张小明"]
    group.filter = {"status": "loyal"}
    group.save()
    assert _names(list_query.page_rows(admin, clean, "", "name", slice(0, 9))) == ["李四", "张三"]


@pytest.fixture
def search_fence_of_two(make_customer, monkeypatch):
    """Six customers named 张…, and list searches that rank at most two matches."""
    for n in range(4):
        make_customer(f"张{n}号")
    monkeypatch.setattr(list_query, "SEARCH_CANDIDATES", 2)
    # Compiled afresh: the fence is in the SQL text, and must not stay for later tests.
    monkeypatch.setattr(list_query, "_compiled_page", ShapedQuery(list_query._page))


def test_a_saved_filter_with_a_search_gives_every_match_beyond_the_search_fence(
    staff, people, search_fence_of_two
):
    matching = set(Customer.objects.filter(name__startswith="张").values_list("pk", flat=True))
    assert len(matching) == 6
    saved = list_query.apply_list_filter(Customer.objects.all(), {"q": "张"})
    assert set(saved.values_list("pk", flat=True)) == matching
    group = CustomerGroup.objects.create(name="姓张", kind="saved_filter", filter={"q": "张"})
    admin = Viewer.of(staff["admin"])
    page = list_query.page_rows(admin, {"group_id": group.pk}, "", "name", slice(0, 50))
    assert {row["id"] for row in page} == matching


@pytest.mark.parametrize("sort", ["-created_at", "name"])
def test_a_list_page_search_past_the_fence_says_it_ranked_only_part(
    staff, people, search_fence_of_two, sort
):
    admin = Viewer.of(staff["admin"])
    page = list_query.page_rows(admin, {}, "张", sort, slice(0, 50))
    assert len(page) == 2  # the fence that keeps the interactive search fast is in place
    assert all(row["search_capped"] for row in page)


def test_a_list_page_search_within_the_fence_is_not_flagged(staff, people, search_fence_of_two):
    admin = Viewer.of(staff["admin"])
    page = list_query.page_rows(admin, {}, "李四", "name", slice(0, 50))
    assert [row["name"] for row in page] == ["李四"]
    assert not page[0]["search_capped"]


def test_a_list_page_in_name_order_ranks_every_pinyin_match_past_the_fence(
    staff, people, search_fence_of_two
):
    # Pinyin matches come in name order from their index, so they need no fence.
    admin = Viewer.of(staff["admin"])
    page = list_query.page_rows(admin, {}, "zhang", "name", slice(0, 50))
    assert len(page) == 7
    assert not page[0]["search_capped"]


def test_a_search_past_the_fence_elsewhere_is_not_flagged_for_a_viewer_within_it(
    staff, people, make_customer, search_fence_of_two
):
    own = make_customer("张七", owner_id=staff["other_manager"].pk)
    viewer = Viewer.of(staff["other_manager"])
    page = list_query.page_rows(viewer, {}, "张", "-created_at", slice(0, 50))
    assert [row["id"] for row in page] == [own.pk]
    assert not page[0]["search_capped"]
