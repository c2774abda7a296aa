"""The list's bulk action in a real browser: tick customers, add them to a new group, on a
phone-sized screen (fixtures of ``guanxi.web.tests.test_browser``)."""

import pytest
from playwright.sync_api import expect

from guanxi.customers.models import CustomerGroup, GroupMembership
from guanxi.web.tests.test_browser import (  # noqa: F401 (fixtures)
    _overflow,
    browser,
    customers,
    login,
    open_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_marketer_adds_the_ticked_customers_to_a_new_group_on_a_phone(
    open_page,  # noqa: F811 (the shared fixture)
    customers,  # noqa: F811
):
    page = open_page("zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "marketer")
    rows = page.locator("#customer-results input[name=customer_ids]")
    expect(rows).to_have_count(2)
    page.locator("[data-select-all=bulk-form]").check()  # "select this page"
    for n in range(2):
        expect(rows.nth(n)).to_be_checked()
    rows.nth(1).uncheck()
    ticked = int(rows.nth(0).get_attribute("value"))
    assert _overflow(page) == 0
    page.click("#bulk-add-to-group")
    page.wait_for_url("**/customers/bulk/**")
    expect(page.locator("[data-selected]")).to_have_attribute("data-selected", "1")
    page.fill("#id_new_group_name", "春节回访名单")
    assert _overflow(page) == 0
    page.click("#bulk-apply-submit")
    page.wait_for_url("**/customers/?*")
    expect(page.locator(".alert-success")).to_contain_text("春节回访名单")
    group = CustomerGroup.objects.get(name="春节回访名单")
    added = GroupMembership.objects.filter(group=group).values_list("customer_id", flat=True)
    assert list(added) == [ticked]
    page.click("#customer-groups")
    page.wait_for_url("**/customers/groups/")
    assert _overflow(page) == 0
    page.get_by_role("link", name="春节回访名单").click()
    expect(page.locator("#customer-results tbody tr")).to_have_count(1)
    assert _overflow(page) == 0
