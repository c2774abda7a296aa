"""The handover in a real browser, on a phone-sized screen: an administrator previews and
confirms the handover of an account manager's portfolio, then deactivates them.

Run with ``pytest -m browser``; the browser fixtures are those of guanxi/web/tests.
"""

# The browser fixtures are imported from test_browser, and tests name them as arguments.
# ruff: noqa: F811

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from guanxi.customers.models import Customer
from guanxi.web.tests.test_browser import browser, login, open_page  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("in_english"),
]


def test_a_portfolio_is_handed_over_then_its_holder_deactivated(
    open_page, staff, receiver, make_portfolio
):
    make_portfolio(2)
    am = staff["account_manager"]
    page = open_page()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "admin", landing="/staff/")
    page.click(f'tr[data-user="am"] a[href="/staff/{am.pk}/handover/"]')
    expect(page.locator("#held")).to_contain_text("2 customers")

    page.select_option("#to-user", str(receiver.pk))
    expect(page.locator("#preview-plan")).to_contain_text("2 leads")
    page.fill("#reason", "调往上海分行")
    page.click("#confirm-handover")
    page.wait_for_url("**/staff/")
    expect(page.locator(".alert-success")).to_contain_text("Handed over")
    assert set(Customer.objects.values_list("owner_id", flat=True)) == {receiver.pk}

    page.click('[data-deactivate="am"]')
    page.wait_for_url("**/staff/")
    expect(page.locator(".alert-success")).to_contain_text("can no longer log in")
    assert not get_user_model().objects.get(pk=am.pk).is_active
