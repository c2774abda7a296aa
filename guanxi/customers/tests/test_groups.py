"""Customer groups: saved filters that stay valid, nesting limits and membership in one query."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.models import CustomerGroup, GroupKind

URL = "/api/v1/customers"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def saved_group(name: str, **saved_filter) -> CustomerGroup:
    return CustomerGroup.objects.create(name=name, kind=GroupKind.SAVED_FILTER, filter=saved_filter)


def test_a_group_named_by_a_saved_filter_cannot_be_deleted(api_as):
    client = api_as("marketer")
    listed = post(client, f"{URL}/groups", {"name": "名单", "kind": "static"}).json()
    post(
        client,
        f"{URL}/groups",
        {
            "name": "名单中的金卡",
            "kind": "saved_filter",
            "filter": {"group_id": listed["id"], "value_tier": "gold"},
        },
    )
    refused = client.delete(f"{URL}/groups/{listed['id']}")
    assert refused.status_code == 422
    assert "名单中的金卡" in refused.json()["detail"][0]["message"]
    assert CustomerGroup.objects.count() == 2


def test_a_saved_filter_naming_a_vanished_group_matches_nobody_and_breaks_no_page(
    api_as, make_customer
):
    customer = make_customer("张三")
    saved_group("旧名单客户", group_id=987654)
    client = api_as("account_manager")
    card = client.get(f"{URL}/{customer.pk}")
    assert card.status_code == 200
    assert card.json()["groups"] == []
    changed = client.patch(
        f"{URL}/{customer.pk}",
        json.dumps({"occupation": "教师", "version": customer.version}),
        content_type="application/json",
    )
    assert changed.status_code == 200


def test_a_saved_filter_may_not_nest_deeper_than_two_saved_groups(api_as):
    client = api_as("marketer")
    inner = saved_group("金卡", value_tier="gold")
    middle = saved_group("北京金卡", group_id=inner.pk, status="repeat")
    too_deep = post(
        client,
        f"{URL}/groups",
        {"name": "太深", "kind": "saved_filter", "filter": {"group_id": middle.pk}},
    )
    assert too_deep.status_code == 422
    assert {d["field"] for d in too_deep.json()["detail"]} == {"filter.group_id"}
    assert not CustomerGroup.objects.filter(name="太深").exists()
    allowed = post(
        client,
        f"{URL}/groups",
        {"name": "可以", "kind": "saved_filter", "filter": {"group_id": inner.pk}},
    )
    assert allowed.status_code == 201


def _queries_of_360(client, customer_id: int) -> int:
    client.get(f"{URL}/{customer_id}")  # the token is checked once, then remembered
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{URL}/{customer_id}").status_code == 200
    return len(queries)


def test_the_360_reads_saved_group_membership_in_one_query_however_many_groups(
    api_as, make_customer
):
    customer = make_customer("张三", value_tier="gold")
    client = api_as("admin")
    saved_group("金卡", value_tier="gold")
    with_one = _queries_of_360(client, customer.pk)
    for n in range(29):
        saved_group(f"分组{n}", value_tier="gold" if n % 2 else "silver")
    assert _queries_of_360(client, customer.pk) == with_one
    groups = client.get(f"{URL}/{customer.pk}").json()["groups"]
    assert len(groups) == 15
