"""The customer API: CRUD, search, scope, masking, reveal, concurrency and errors."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from guanxi.audit.models import AuditEntry
from guanxi.compiled_query import ShapedQuery
from guanxi.conftest import PASSWORD, resident_id
from guanxi.customers import list_query
from guanxi.customers.models import Customer, LifecycleChange
from guanxi.customers.timeline import (
    TimelineEvent,
    register_timeline_source,
    unregister_timeline_source,
)

URL = "/api/v1/customers"


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def patch(client, url, body, **headers):
    return client.patch(url, json.dumps(body), content_type="application/json", headers=headers)


def fields_of(response) -> set[str]:
    return {d["field"] for d in response.json()["detail"]}


@pytest.fixture
def new_customer(org, staff) -> dict:
    return {
        "name": "张三",
        "branch_id": org["north"].pk,
        "owner_id": staff["account_manager"].pk,
        "phone": "138 1234 5678",
        "id_number": resident_id(),
        "email": "ZhangSan@Example.com",
    }


def test_requests_without_credentials_get_401(db):
    from django.test import Client

    assert Client().get(URL).status_code == 401


def test_token_exchange(staff):
    from django.test import Client

    client = Client()
    ok = post(client, "/api/v1/auth/token", {"username": "am", "password": PASSWORD})
    assert ok.status_code == 201
    token = ok.json()["token"]
    me = client.get("/api/v1/org/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["roles"] == ["account_manager"]
    bad = post(client, "/api/v1/auth/token", {"username": "am", "password": "wrong"})
    assert bad.status_code == 401


def test_create_normalises_and_derives_identity(api_as, new_customer):
    response = post(api_as("account_manager"), URL, new_customer)
    assert response.status_code == 201, response.content
    profile = response.json()["profile"]
    assert profile["phone"] == "13812345678"
    assert profile["email"] == "zhangsan@example.com"
    assert profile["birthday"] == "1985-06-15"
    assert profile["gender"] in ("male", "female")
    assert profile["version"] == 1
    stored = Customer.objects.get(pk=profile["id"])
    assert (stored.phone, stored.phone_last4) == ("+8613812345678", "5678")
    assert (stored.name_pinyin, stored.name_initials) == ("zhangsan", "zs")
    assert LifecycleChange.objects.filter(customer=stored).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": "110105198506151230"}, "id_number"),
        ({"phone": "12345"}, "phone"),
        ({"email": "nope"}, "email"),
        ({"owner_id": 999999}, "owner_id"),
        ({"branch_id": 999999}, "branch_id"),
        ({"name": ""}, "name"),
        ({"birthday": "1990-13-01"}, "birthday"),
        ({"custom_fields": {"nope": 1}}, "custom_fields.nope"),
    ],
)
def test_bad_input_names_the_field_and_creates_nothing(api_as, new_customer, change, field):
    if change.get("id_number", "").endswith("0") and resident_id().endswith("0"):
        pytest.skip("check digit happens to be 0")
    response = post(api_as("admin"), URL, {**new_customer, **change})
    assert response.status_code == 422, response.content
    assert field in fields_of(response)
    assert not Customer.objects.exists()


def test_owner_must_be_an_account_manager(api_as, new_customer, staff):
    response = post(api_as("admin"), URL, {**new_customer, "owner_id": staff["marketer"].pk})
    assert response.status_code == 422
    assert fields_of(response) == {"owner_id"}


def test_several_bad_fields_are_reported_together(api_as, new_customer):
    bad = {**new_customer, "phone": "1", "email": "x", "owner_id": 424242}
    response = post(api_as("admin"), URL, bad)
    assert {"phone", "email", "owner_id"} <= fields_of(response)


def test_malformed_json_is_a_client_error(api_as):
    response = api_as("admin").post(URL, "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_account_manager_cannot_create_for_someone_else(api_as, new_customer, staff):
    body = {**new_customer, "owner_id": staff["other_manager"].pk}
    assert post(api_as("account_manager"), URL, body).status_code == 403


def test_out_of_scope_customer_reads_as_404(api_as, make_customer, staff):
    theirs = make_customer("李四", owner_id=staff["other_manager"].pk)
    client = api_as("account_manager")
    assert client.get(f"{URL}/{theirs.pk}").status_code == 404
    assert client.get(f"{URL}/{theirs.pk + 1000}").status_code == 404
    assert patch(client, f"{URL}/{theirs.pk}", {"name": "x", "version": 1}).status_code == 404


@pytest.mark.parametrize(
    "query",
    ["张三", "张", "zhangsan", "zhang", "zs", "ZS", "13812345678", "5678", "zhangsan@example.com"],
)
def test_search_finds_by_name_pinyin_phone_and_email(api_as, make_customer, query):
    make_customer("张三")
    make_customer("李四", phone="13998761111", email="lisi@example.com")
    names = [r["name"] for r in api_as("admin").get(URL, {"q": query}).json()["results"]]
    assert names == ["张三"]


def test_search_pages_merge_pinyin_and_other_matches_in_name_order(api_as, make_customer):
    # 邹华 (zouhua) matches "zh" by its initials only; the rest by pinyin.
    names = ["赵三", "张二", "邹华", "周四", "张一", "zhongtai", "李五", "钟六"]
    for name in names:
        make_customer(name)
    expected = list(
        Customer.objects.filter(name__in=[n for n in names if n != "李五"])
        .order_by("name_pinyin", "id")
        .values_list("name", flat=True)
    )
    client = api_as("admin")
    shown, page, has_next = [], 1, True
    while has_next:
        body = client.get(URL, {"q": "zh", "page_size": 2, "page": page}).json()
        shown += [r["name"] for r in body["results"]]
        has_next, page = body["has_next"], page + 1
    assert shown == expected
    assert len(expected) == 7


def test_a_search_matching_more_than_a_list_ranks_says_so(api_as, make_customer, monkeypatch):
    for n in range(3):
        make_customer(f"张{n}号")
    client = api_as("admin")
    assert client.get(URL, {"q": "张"}).json()["search_capped"] is False
    monkeypatch.setattr(list_query, "SEARCH_CANDIDATES", 2)
    monkeypatch.setattr(list_query, "_compiled_page", ShapedQuery(list_query._page))
    body = client.get(URL, {"q": "张"}).json()
    assert body["search_capped"] is True
    assert len(body["results"]) == 2
    assert client.get(URL).json()["search_capped"] is False  # no search, nothing fenced


def test_search_by_id_number_and_external_id(api_as, make_customer):
    number = resident_id()
    make_customer("张三", id_number=number, external_id="CORE-0042")
    make_customer("李四")
    client = api_as("admin")
    assert [r["name"] for r in client.get(URL, {"q": number}).json()["results"]] == ["张三"]
    assert [r["name"] for r in client.get(URL, {"q": "CORE-0042"}).json()["results"]] == ["张三"]


def test_list_filters_sort_and_paging(api_as, make_customer, org, staff):
    for i, name in enumerate(["赵一", "钱二", "孙三", "李四", "周五"]):
        make_customer(name, phone=f"1390000000{i}", value_tier="gold" if i % 2 else "standard")
    make_customer("吴六", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)
    client = api_as("admin")
    gold = client.get(URL, {"value_tier": "gold"}).json()["results"]
    assert {r["name"] for r in gold} == {"钱二", "李四"}
    south = client.get(URL, {"branch_id": org["south"].pk}).json()["results"]
    assert [r["name"] for r in south] == ["吴六"]
    first = client.get(URL, {"page_size": 4}).json()
    assert [r["name"] for r in first["results"]] == ["李四", "钱二", "孙三", "吴六"]
    assert first["has_next"] is True
    second = client.get(URL, {"page_size": 4, "page": 2}).json()
    assert [r["name"] for r in second["results"]] == ["赵一", "周五"]
    assert second["has_next"] is False


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"sort": "phone"}, "sort"),
        ({"page_size": 1000}, "page_size"),
        ({"page": 0}, "page"),
        ({"group_id": 777}, "group_id"),
    ],
)
def test_bad_list_parameters_name_the_field(api_as, params, field):
    response = api_as("admin").get(URL, params)
    assert response.status_code == 422
    assert field in fields_of(response)


def test_marketer_sees_masked_phone_and_no_id_number(api_as, make_customer):
    customer = make_customer()
    body = api_as("marketer").get(f"{URL}/{customer.pk}").json()
    profile = body["profile"]
    assert profile["phone"] == "138****5678"
    assert profile["id_number"] is None
    assert profile["email"] == "z***@example.com"
    assert customer.id_number not in json.dumps(body)
    assert "id_number" not in profile["revealable"]


def test_branch_manager_sees_masked_id_and_can_reveal_it_with_a_reason(api_as, make_customer):
    customer = make_customer()
    client = api_as("branch_manager")
    profile = client.get(f"{URL}/{customer.pk}").json()["profile"]
    assert (
        profile["id_number"]
        == customer.id_number[:6] + "********" + customer.id_number[-4:-1] + "*"
    )
    assert profile["phone"] == "13812345678"
    no_reason = post(client, f"{URL}/{customer.pk}/reveal", {"field": "id_number", "reason": ""})
    assert no_reason.status_code == 422
    assert fields_of(no_reason) == {"reason"}
    shown = post(
        client, f"{URL}/{customer.pk}/reveal", {"field": "id_number", "reason": "客户来电核实身份"}
    )
    assert shown.json() == {"field": "id_number", "value": customer.id_number}
    entry = AuditEntry.objects.get(action="reveal")
    assert (entry.actor_name, entry.object_id, entry.fields) == (
        "bm",
        str(customer.pk),
        ["id_number"],
    )
    assert entry.purpose == "客户来电核实身份"


def test_marketer_can_never_reveal_an_id_number(api_as, make_customer):
    customer = make_customer()
    body = {"field": "id_number", "reason": "campaign check"}
    assert post(api_as("marketer"), f"{URL}/{customer.pk}/reveal", body).status_code == 403


def test_update_with_current_version_succeeds_and_bumps_it(api_as, make_customer):
    customer = make_customer()
    response = patch(
        api_as("account_manager"), f"{URL}/{customer.pk}", {"address": "北京市朝阳区", "version": 1}
    )
    assert response.status_code == 200, response.content
    assert response.json()["profile"]["version"] == 2
    assert response.json()["profile"]["address"] == "北京市朝阳区"


def test_stale_version_is_refused_and_changes_nothing(api_as, make_customer):
    customer = make_customer()
    client = api_as("account_manager")
    assert patch(client, f"{URL}/{customer.pk}", {"address": "A", "version": 1}).status_code == 200
    stale = patch(client, f"{URL}/{customer.pk}", {"address": "B", "version": 1})
    assert stale.status_code == 409
    assert fields_of(stale) == {"version"}
    assert stale.json()["current_version"] == 2
    by_header = patch(client, f"{URL}/{customer.pk}", {"address": "C"}, **{"If-Match": '"1"'})
    assert by_header.status_code == 412
    assert Customer.objects.get(pk=customer.pk).address == "A"


def test_update_without_a_version_is_refused(api_as, make_customer):
    customer = make_customer()
    response = patch(api_as("account_manager"), f"{URL}/{customer.pk}", {"address": "A"})
    assert response.status_code == 422
    assert fields_of(response) == {"version"}


def test_update_with_bad_id_changes_nothing(api_as, make_customer):
    customer = make_customer()
    response = patch(api_as("admin"), f"{URL}/{customer.pk}", {"phone": "123", "version": 1})
    assert response.status_code == 422
    assert Customer.objects.get(pk=customer.pk).version == 1


def test_marketer_cannot_edit(api_as, make_customer):
    customer = make_customer()
    response = patch(api_as("marketer"), f"{URL}/{customer.pk}", {"address": "A", "version": 1})
    assert response.status_code == 403


def test_lifecycle_change_keeps_date_and_reason(api_as, make_customer):
    customer = make_customer()
    client = api_as("account_manager")
    url = f"{URL}/{customer.pk}/lifecycle"
    response = post(client, url, {"status": "new", "reason": "首次购买理财", "version": 1})
    assert response.status_code == 200
    history = response.json()["lifecycle"]
    assert (history[0]["to_status"], history[0]["from_status"], history[0]["reason"]) == (
        "new",
        "prospect",
        "首次购买理财",
    )
    won_back = post(client, url, {"status": "won_back", "reason": "x", "version": 2})
    assert won_back.status_code == 422
    assert fields_of(won_back) == {"status"}


def test_tags_and_static_group_membership(api_as, make_customer, staff):
    mine = make_customer("张三")
    theirs = make_customer("李四", owner_id=staff["other_manager"].pk)
    client = api_as("account_manager")
    tags = client.put(
        f"{URL}/{mine.pk}/tags",
        json.dumps({"tags": ["VIP", "高净值", "VIP"], "version": mine.version}),
        content_type="application/json",
    )
    assert tags.json() == ["VIP", "高净值"]
    group = post(client, f"{URL}/groups", {"name": "重点客户", "kind": "static"}).json()
    members = f"{URL}/groups/{group['id']}/members"
    out_of_scope = post(client, members, {"add": [mine.pk, theirs.pk]})
    assert out_of_scope.status_code == 422
    assert post(client, members, {"add": [mine.pk]}).json() == {"member_count": 1}
    in_group = client.get(URL, {"group_id": group["id"]}).json()["results"]
    assert [r["name"] for r in in_group] == ["张三"]
    assert client.get(URL, {"tag": "高净值"}).json()["results"][0]["name"] == "张三"
    groups = client.get(f"{URL}/{mine.pk}").json()["groups"]
    assert groups == [{"id": group["id"], "name": "重点客户", "kind": "static"}]


def test_saved_filter_group(api_as, make_customer):
    make_customer("张三", value_tier="gold")
    make_customer("李四")
    client = api_as("marketer")
    group = post(
        client,
        f"{URL}/groups",
        {"name": "金卡", "kind": "saved_filter", "filter": {"value_tier": "gold"}},
    )
    assert group.status_code == 201
    found = client.get(URL, {"group_id": group.json()["id"]}).json()["results"]
    assert [r["name"] for r in found] == ["张三"]
    bad = post(
        client, f"{URL}/groups", {"name": "坏", "kind": "saved_filter", "filter": {"colour": "red"}}
    )
    assert bad.status_code == 422
    assert fields_of(bad) == {"filter.colour"}


def test_custom_fields(api_as, make_customer):
    admin = api_as("admin")
    definition = {
        "key": "risk_level",
        "label": "风险等级",
        "field_type": "choice",
        "choices": ["R1", "R2", "R3"],
    }
    assert post(admin, f"{URL}/custom-fields", definition).status_code == 201
    assert (
        post(
            api_as("account_manager"), f"{URL}/custom-fields", {**definition, "key": "x"}
        ).status_code
        == 403
    )
    customer = make_customer()
    bad = patch(
        admin, f"{URL}/{customer.pk}", {"custom_fields": {"risk_level": "R9"}, "version": 1}
    )
    assert fields_of(bad) == {"custom_fields.risk_level"}
    ok = patch(admin, f"{URL}/{customer.pk}", {"custom_fields": {"risk_level": "R2"}, "version": 1})
    assert ok.json()["profile"]["custom_fields"] == [
        {"key": "risk_level", "label": "风险等级", "value": "R2"}
    ]


def test_360_totals_transactions_and_timeline(api_as, make_customer):
    customer = make_customer()
    client = api_as("account_manager")
    now = timezone.now()
    # Booked out of order: the earlier purchase arrives after the later one.
    for days, amount in [(10, "250.50"), (30, "100.00"), (5, "-50.00")]:
        body = {
            "amount": amount,
            "channel": "mobile",
            "occurred_at": (now - timedelta(days=days)).isoformat(),
        }
        assert post(client, f"{URL}/{customer.pk}/transactions", body).status_code == 201
    future = {
        "amount": "1",
        "channel": "mobile",
        "occurred_at": (now + timedelta(days=3)).isoformat(),
    }
    assert fields_of(post(client, f"{URL}/{customer.pk}/transactions", future)) == {"occurred_at"}
    view = client.get(f"{URL}/{customer.pk}").json()
    assert view["totals"]["lifetime_revenue"] == "300.50"
    assert view["totals"]["transaction_count"] == 3
    # A refund is not a purchase: the last purchase is the one 10 days ago.
    first, last = (view["totals"][k] for k in ("first_purchase_at", "last_purchase_at"))
    assert (now - parse_datetime(first)).days == 30 and (now - parse_datetime(last)).days == 10
    assert [t["amount"] for t in view["recent_transactions"]] == ["-50.00", "250.50", "100.00"]
    assert view["profile"]["lifetime_revenue"] == "300.50"
    kinds = [e["kind"] for e in view["timeline"]]
    assert kinds.count("transaction") == 3 and "lifecycle" in kinds


def test_timeline_extension_point(api_as, make_customer):
    customer = make_customer()

    def visits(viewer, cust, limit):
        return [TimelineEvent(at=timezone.now(), kind="visit", title="上门拜访")]

    register_timeline_source("test.visits", visits)
    try:
        timeline = api_as("admin").get(f"{URL}/{customer.pk}").json()["timeline"]
    finally:
        unregister_timeline_source("test.visits")
    assert timeline[0]["kind"] == "visit" and timeline[0]["title"] == "上门拜访"


def test_contacts_for_organisation_customers(api_as, make_customer):
    company = make_customer("华为技术有限公司", kind="organisation", id_number="")
    person = make_customer("张三")
    client = api_as("account_manager")
    contact = {"name": "王经理", "phone": "13700001111", "title": "财务总监"}
    created = post(client, f"{URL}/{company.pk}/contacts", contact)
    assert created.status_code == 201
    assert created.json()["phone"] == "13700001111"
    assert post(client, f"{URL}/{person.pk}/contacts", contact).status_code == 422
    masked = api_as("marketer").get(f"{URL}/{company.pk}").json()["contacts"]
    assert masked[0]["phone"] == "137****1111"


def test_openapi_docs_are_served_to_a_signed_in_caller(api_as):
    client = api_as("analyst")
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


def test_nul_characters_are_refused_naming_the_field(api_as, new_customer):
    client = api_as("admin")
    in_query = client.get(URL, {"q": "张\x00三"})
    assert in_query.status_code == 400
    assert fields_of(in_query) == {"q"}
    in_body = post(client, URL, {**new_customer, "address": "北京\x00"})
    assert in_body.status_code == 400
    assert fields_of(in_body) == {"address"}
    assert not Customer.objects.exists()


def test_error_messages_follow_the_callers_language(api_as, new_customer):
    client = api_as("admin")
    bad = {**new_customer, "phone": "12345"}
    chinese = client.post(
        URL, json.dumps(bad), content_type="application/json", headers={"Accept-Language": "zh-CN"}
    )
    english = client.post(
        URL, json.dumps(bad), content_type="application/json", headers={"Accept-Language": "en"}
    )
    assert chinese.json()["detail"][0]["message"] != english.json()["detail"][0]["message"]
    assert english.json()["detail"][0]["message"] == "This phone number does not exist."
