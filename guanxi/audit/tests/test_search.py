"""Searching the log by customer name, by staff name, and for every entry about a customer."""

import json

import pytest
from django.urls import reverse

from guanxi.web.tests.support import client_for

URL = "/api/v1/customers"
AUDIT = "/api/v1/audit"


@pytest.fixture
def history(api_as, make_customer) -> dict:
    """The admin lists both customers; the marketer opens 李四; a contact is added to 华为."""
    zhang, li = make_customer("张三"), make_customer("李四")
    company = make_customer("华为技术有限公司", kind="organisation", id_number="")
    api_as("admin").get(URL, {"q": ""})
    api_as("marketer").get(f"{URL}/{li.pk}")
    body = json.dumps({"name": "王经理", "phone": "13700001111"})
    api_as("admin").post(f"{URL}/{company.pk}/contacts", body, content_type="application/json")
    return {"zhang": zhang, "li": li, "company": company}


def kinds(entries: list[dict]) -> list[tuple[str, str]]:
    return [(e["actor_name"], e["action"]) for e in entries]


def test_search_by_customer_name_finds_the_list_page_that_showed_them(api_as, history):
    found = api_as("auditor").get(AUDIT, {"customer": "张三", "action": "read"}).json()
    assert kinds(found) == [("admin", "read")]
    assert found[0]["customer_count"] == 3
    assert {c["name"] for c in found[0]["customers"]} == {"张三", "李四", "华为技术有限公司"}


def test_search_by_customer_name_finds_their_own_reads_and_not_others(api_as, history):
    found = api_as("auditor").get(AUDIT, {"customer": "李四", "action": "read"}).json()
    assert kinds(found) == [("marketer", "read"), ("admin", "read")]


def test_search_by_customer_name_finds_changes_of_their_contacts(api_as, history):
    found = api_as("auditor").get(AUDIT, {"customer": "华为", "object_type": "contact"}).json()
    assert [(e["action"], e["object_name"]) for e in found] == [("create", "王经理")]


def test_entries_about_a_customer_id_include_list_reads(api_as, history):
    li = history["li"]
    found = api_as("auditor").get(AUDIT, {"object_type": "customer", "object_id": li.pk}).json()
    assert ("admin", "read") in kinds(found) and ("marketer", "read") in kinds(found)
    other = api_as("auditor").get(AUDIT, {"object_id": history["zhang"].pk}).json()
    assert ("marketer", "read") not in kinds(other)


def test_search_by_staff_display_name(api_as, history):
    found = api_as("auditor").get(AUDIT, {"actor": "市场"}).json()
    assert kinds(found) == [("marketer", "read")]
    assert found[0]["actor_display"] == "市场小吴"


def test_the_log_page_searches_by_customer_and_staff_name(staff, history):
    client = client_for(staff["auditor"])
    body = client.get(reverse("audit:log"), {"customer": "李四", "actor": "小吴"}).content.decode()
    table = body.split('id="audit-entries"')[1]
    assert "市场小吴" in table and "管理员" not in table
    assert f'href="{reverse("customers:detail", args=[history["li"].pk])}"' in table


def test_search_by_customer_pinyin(api_as, history):
    found = api_as("auditor").get(AUDIT, {"customer": "lisi", "action": "read"}).json()
    assert kinds(found) == [("marketer", "read"), ("admin", "read")]


def test_search_for_an_unknown_customer_finds_nothing(api_as, history):
    assert api_as("auditor").get(AUDIT, {"customer": "无此人"}).json() == []


def test_entries_about_a_customer_include_changes_of_their_contacts(api_as, history):
    company = history["company"]
    query = {"object_type": "customer", "object_id": company.pk, "action": "create"}
    found = api_as("auditor").get(AUDIT, query).json()
    assert {e["object_type"] for e in found} == {"customer", "contact"}
