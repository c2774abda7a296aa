"""The shell on a phone (390 px) and a desktop (1440 px), in Chinese and English.

No page scrolls sideways; the customer list reads as cards on a phone with its filters
folded away; a phone number the viewer sees whole is a ``tel:`` link, a masked one is not.
"""

# The browser fixtures are imported from test_browser, and tests name them as arguments.
# ruff: noqa: F811

import pytest
from playwright.sync_api import expect

from guanxi import policy
from guanxi.audit.services import RequestContext
from guanxi.conftest import resident_id
from guanxi.customers import contacts
from guanxi.customers.inputs import ContactFields
from guanxi.web.tests.test_browser import (  # noqa: F401 (fixtures)
    browser,
    customers,
    login,
    open_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SCREENS = {"phone": PHONE, "desktop": DESKTOP}
LOCALES = ["zh-CN", "en-US"]


def _overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _display(locator) -> str:
    return locator.evaluate("e => getComputedStyle(e).display")


@pytest.fixture
def company(customers, make_customer, staff):
    """星河贸易, an organisation of the account manager's with a contact person."""
    company = make_customer(
        "星河贸易有限公司", kind="organisation", id_number="", phone="13700002222"
    )
    contacts.contact_add(
        viewer=policy.Viewer.of(staff["admin"]),
        customer_id=company.pk,
        fields=ContactFields(name="王五", title="经理", phone="13900003333"),
        context=RequestContext(),
    )
    return company


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_list_and_the_360_pages_never_scroll_sideways(
    open_page, customers, company, locale, screen
):
    page = open_page(locale)
    page.set_viewport_size(SCREENS[screen])
    login(page, "am")
    expect(page.locator("#customer-results")).to_contain_text("张三")
    assert _overflow(page) == 0
    for customer in (customers["zhang"], company):
        response = page.goto(f"/customers/{customer.pk}/")
        assert response.status == 200
        expect(page.locator("#profile")).to_be_visible()
        assert _overflow(page) == 0, customer.name


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_creating_an_individual_and_an_organisation_never_scrolls_sideways(
    open_page, customers, locale, screen
):
    page = open_page(locale)
    page.set_viewport_size(SCREENS[screen])
    login(page, "am")
    page.click("#new-customer")
    page.click("#kind-individual")
    page.fill("#id_name", "周八")
    page.fill("#id_phone", "13600004444")
    page.fill("#id_id_number", resident_id())
    assert _overflow(page) == 0
    page.click("#create-customer")
    expect(page.locator("h1.page-title")).to_contain_text("周八")
    assert _overflow(page) == 0
    page.goto("/customers/new/?kind=organisation")
    page.fill("#id_name", "云帆物流有限公司")
    page.fill("#id_uscc", "91110000600037341L")
    page.fill("#id_phone", "13600005555")
    assert _overflow(page) == 0
    page.click("#create-customer")
    expect(page.locator("h1.page-title")).to_contain_text("云帆物流有限公司")
    assert _overflow(page) == 0


def test_on_a_phone_the_list_shows_cards_and_folds_its_filters(open_page, customers):
    page = open_page("zh-CN")
    page.set_viewport_size(PHONE)
    login(page, "am")
    row = page.locator("tr[data-customer-id]").first
    expect(row).to_contain_text("张三")
    assert _display(row) == "block"  # a card, not a table row
    # the column headings hide; only the "select this page" box of the bulk actions stays
    expect(page.locator("#customer-results thead th:not(.card-select)").first).to_be_hidden()
    expect(row.locator("[data-kind]")).to_have_text("个人")
    expect(row.locator("td[data-label='生命周期状态']")).to_be_visible()
    filters = page.locator("#customer-filters")
    expect(filters).to_be_hidden()
    expect(page.locator("#id_q")).to_be_visible()  # the search box stays
    page.click("#filters-toggle")
    expect(filters).to_be_visible()
    expect(page.locator("#id_status")).to_be_visible()
    assert _overflow(page) == 0


def test_on_a_desktop_the_list_is_a_table_with_its_filters_open(open_page, customers):
    page = open_page("en-US")
    page.set_viewport_size(DESKTOP)
    login(page, "am")
    row = page.locator("tr[data-customer-id]").first
    expect(row).to_contain_text("张三")
    assert _display(row) == "table-row"
    expect(page.locator("#customer-results thead")).to_be_visible()
    expect(page.locator("#customer-filters")).to_be_visible()
    expect(page.locator("#filters-toggle")).to_be_hidden()


def test_a_phone_number_seen_whole_is_a_tel_link(open_page, customers, company):
    page = open_page("zh-CN")
    page.set_viewport_size(PHONE)
    login(page, "am")
    row = page.locator(f"tr[data-customer-id='{customers['zhang'].pk}']")
    expect(row.locator("a[href^='tel:']")).to_have_attribute("href", "tel:+8613812345678")
    page.goto(f"/customers/{company.pk}/")
    link = page.locator("#field-phone a[href^='tel:']")
    expect(link).to_have_attribute("href", "tel:+8613700002222")
    expect(link).to_have_text("13700002222")
    contact = page.locator("#contacts [data-contact-phone] a")
    expect(contact).to_have_attribute("href", "tel:+8613900003333")


def test_a_masked_phone_number_is_no_link(open_page, customers, company):
    page = open_page("zh-CN")
    page.set_viewport_size(PHONE)
    login(page, "marketer")
    row = page.locator(f"tr[data-customer-id='{customers['zhang'].pk}']")
    expect(row).to_contain_text("138****5678")
    assert row.locator("a[href^='tel:']").count() == 0
    page.goto(f"/customers/{company.pk}/")
    expect(page.locator("#field-phone")).to_contain_text("137****2222")
    expect(page.locator("#contacts [data-contact-phone]")).to_contain_text("139****3333")
    assert page.locator("a[href^='tel:']").count() == 0
    assert "13900003333" not in page.content()


def test_a_revealed_phone_number_becomes_a_tel_link(open_page, customers, company):
    page = open_page("en-US")
    page.set_viewport_size(PHONE)
    login(page, "marketer")
    page.goto(f"/customers/{company.pk}/")
    field = page.locator("#field-phone")
    field.locator("[data-reveal=phone]").click()
    field.locator("#id_reason").fill("客户来电")
    field.locator("button[type=submit]").click()
    expect(field.locator("[data-revealed=phone] a")).to_have_attribute("href", "tel:+8613700002222")
