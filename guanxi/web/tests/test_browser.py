"""The pages in a real browser: Playwright's sync API driving Debian's Chromium.

Run with ``pytest -m browser``. Without /usr/bin/chromium the tests are skipped, except on
CI (``CI=true``), where a missing browser is a failure rather than silently untested pages.
"""

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from guanxi import policy
from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.audit.services import TASK_CONTEXT, RequestContext
from guanxi.conftest import PASSWORD
from guanxi.customers import holdings, services
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import Customer, Holding, Product

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOT = Path("/tmp/guanxi-customer-360-zh.png")
USERNAMES = {
    "admin": "admin",
    "branch_manager": "bm",
    "account_manager": "am",
    "service_agent": "agent",
    "marketer": "marketer",
    "analyst": "analyst",
    "auditor": "auditor",
}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium for the module; skipped (or failed on CI) when it is not installed."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium fonts-wqy-microhei"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread, and Django refuses ORM
    # calls from a thread with a running loop unless told that this is deliberate.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def open_page(browser, live_server) -> Iterator:
    """Opens a fresh browser context (cookies, language) per call; closes them afterwards."""
    contexts = []

    def open_(locale: str = "en-US"):
        context = browser.new_context(locale=locale, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def customers(transactional_db, make_customer, staff) -> dict[str, Customer]:
    """张三 with products and purchases (the account manager's), and a colleague's 李四."""
    zhang = make_customer("张三", phone="13812345678", email="zhangsan@example.com")
    li = make_customer("李四", owner_id=staff["other_manager"].pk, phone="13900001111")
    admin = policy.Viewer.of(staff["admin"])
    deposit = Product.objects.create(code="DEP01", name="整存整取三年", kind="deposit")
    wealth = Product.objects.create(code="WM01", name="稳健理财180天", kind="wealth")
    Holding.objects.create(
        customer=zhang,
        product=deposit,
        account_number="6222020200112233445",
        opened_at=timezone.localdate() - timedelta(days=400),
        balance=Decimal("200000.00"),
    )
    now = timezone.now()
    for days, amount in ((300, "50000.00"), (120, "80000.00"), (10, "30000.00")):
        holdings.transaction_book(
            viewer=policy.Viewer.system(),
            customer_id=zhang.pk,
            booking=holdings.Booking(
                amount=Decimal(amount),
                channel="branch",
                occurred_at=now - timedelta(days=days),
                product_code=wealth.code,
            ),
            context=TASK_CONTEXT,
        )
    services.customer_set_tags(
        viewer=admin,
        customer_id=zhang.pk,
        names=["高净值", "理财偏好"],
        expected_version=zhang.version,
        context=RequestContext(),
    )
    services.customer_change_lifecycle(
        viewer=admin,
        customer_id=zhang.pk,
        to_status="new",
        reason="首次购买理财",
        expected_version=2,
        context=RequestContext(),
    )
    zhang.refresh_from_db()
    return {"zhang": zhang, "li": li}


LANDING = re.compile(r".*/(customers|activities/my-day)/$")


def login(page, username: str, landing: str = "/customers/") -> None:
    """Log in through the login form, land on the user's landing page (my day for account
    managers and team leads), then go on to ``landing`` (the customer list)."""
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(LANDING)
    if not page.url.endswith(landing):
        page.goto(landing)


@pytest.mark.parametrize("role", list(USERNAMES))
def test_each_role_logs_in_searches_by_initials_and_opens_the_360_page(open_page, customers, role):
    page = open_page()
    login(page, USERNAMES[role])
    expect(page.locator("#user-display-name")).not_to_be_empty()
    # Typing the pinyin initials of 张三 makes HTMX fetch the results table, no submit.
    with page.expect_response(lambda r: "q=zs" in r.url and r.request.headers.get("hx-request")):
        page.fill("#id_q", "zs")
    results = page.locator("#customer-results")
    expect(results).to_contain_text("张三")
    expect(results).not_to_contain_text("李四")
    expect(page).to_have_url(re.compile(r"[?&]q=zs"))  # the URL stays shareable
    results.get_by_role("link", name="张三").click()
    page.wait_for_url(f"**/customers/{customers['zhang'].pk}/")
    expect(page.locator("h1.page-title")).to_contain_text("张三")
    expect(page.locator("#holdings")).to_contain_text("整存整取三年")
    expect(page.locator("#transactions")).to_contain_text("稳健理财180天")


def test_account_manager_cannot_open_a_colleagues_customer(open_page, customers):
    page = open_page()
    login(page, "am")
    response = page.goto(f"/customers/{customers['li'].pk}/")
    assert response.status == 404
    assert "李四" not in page.content()


def test_marketer_sees_no_id_number_and_a_masked_phone(open_page, customers):
    page = open_page()
    login(page, "marketer")
    page.goto(f"/customers/{customers['zhang'].pk}/")
    html = page.content()
    id_number = customers["zhang"].id_number
    assert id_number not in html
    assert policy.mask_id_number(id_number) not in html
    assert page.locator("#field-id_number").count() == 0
    expect(page.locator("#field-phone")).to_contain_text("138****5678")
    assert "13812345678" not in html


def test_branch_manager_reveals_the_id_number_with_a_reason(open_page, customers):
    zhang = customers["zhang"]
    page = open_page()
    login(page, "bm")
    page.goto(f"/customers/{zhang.pk}/")
    field = page.locator("#field-id_number")
    expect(field).to_contain_text(policy.mask_id_number(zhang.id_number))
    field.locator("[data-reveal=id_number]").click()
    field.locator("#id_reason").fill("客户来电核实身份")
    field.locator("button[type=submit]").click()
    expect(field.locator("[data-revealed=id_number]")).to_have_text(zhang.id_number)
    assert page.url.endswith(f"/customers/{zhang.pk}/")  # swapped in place, no navigation
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert (entry.actor_name, entry.purpose) == ("bm", "客户来电核实身份")


def test_edit_form_shows_the_id_check_digit_error_on_its_field(open_page, customers):
    zhang = customers["zhang"]
    page = open_page()
    login(page, "am")
    page.goto(f"/customers/{zhang.pk}/edit/")
    wrong = zhang.id_number[:-1] + ("1" if zhang.id_number[-1] != "1" else "2")
    page.fill("#id_id_number", wrong)
    page.click("#save-customer")
    expect(page.locator("#id_id_number-errors")).to_contain_text("check digit")
    zhang.refresh_from_db()
    assert zhang.id_number != wrong


def test_edit_form_with_a_stale_version_says_someone_else_changed_it(open_page, customers, staff):
    zhang = customers["zhang"]
    page = open_page()
    login(page, "am")
    page.goto(f"/customers/{zhang.pk}/edit/")
    services.customer_update(  # a colleague saves first
        viewer=policy.Viewer.of(staff["admin"]),
        customer_id=zhang.pk,
        changes=CustomerFields(occupation="教师"),
        expected_version=zhang.version,
        context=RequestContext(),
    )
    page.fill("#id_address", "北京市朝阳区建国路1号")
    page.click("#save-customer")
    expect(page.locator("[data-form-error]")).to_contain_text("changed by someone else")
    zhang.refresh_from_db()
    assert zhang.address == ""


def test_language_switch_renders_chinese_and_english(open_page, customers):
    page = open_page("en-US")
    login(page, "am")
    nav = page.locator("#main-nav")
    expect(nav).to_contain_text("Customers")
    page.click("#user-menu > a")
    page.locator("#user-menu button[name=language][value=zh-hans]").click()
    expect(nav).to_contain_text("客户")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.click("#user-menu > a")
    page.locator("#user-menu button[name=language][value=en]").click()
    expect(nav).to_contain_text("Customers")


def test_customer_360_in_chinese_screenshot(open_page, customers):
    page = open_page("zh-CN")
    page.set_viewport_size({"width": 1440, "height": 1100})
    login(page, "am")
    page.goto(f"/customers/{customers['zhang'].pk}/")
    expect(page.locator("#profile")).to_contain_text("手机")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000


def _overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_create_form_fits_a_phone_screen(open_page, customers):
    page = open_page("zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "am")
    page.click("#new-customer")
    page.click("#kind-organisation")
    page.wait_for_url("**/customers/new/?kind=organisation")
    assert page.locator("#id_id_number").count() == 0
    page.fill("#id_name", "星河科技有限公司")
    page.fill("#id_uscc", "9111 0000 6000 3734 1L")
    page.fill("#id_legal_representative", "赵六")
    page.fill("#id_registered_capital", "5000000")
    page.select_option("#id_industry", "information")
    page.fill("#id_phone", "13812345678")  # 张三's: a warning to confirm
    assert _overflow(page) == 0
    page.click("#create-customer")
    expect(page.locator("[data-duplicates=warnings]")).to_contain_text("张三")
    assert _overflow(page) == 0
    page.click("#confirm-create")
    expect(page.locator("h1.page-title")).to_contain_text("星河科技有限公司")
    expect(page.locator("#field-uscc")).to_have_text("91110000600037341L")
    assert _overflow(page) == 0


def test_the_list_with_analytics_fits_a_phone_and_its_filters_fold_away(open_page, customers):
    from guanxi.insights.models import AnalysisRun, CustomerScore

    run = AnalysisRun.objects.create(
        status="finished", trigger="command", finished_at=timezone.now()
    )
    CustomerScore.objects.create(
        run=run,
        customer=customers["zhang"],
        rfm_segment="at_risk",
        churn_warning=True,
        churn_reason_codes=["OVERDUE"],
        value_at_risk=1234.5,
        value_tier="gold",
    )
    page = open_page("zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "am")
    assert not page.locator("#analytics-filters").evaluate("d => d.open")
    expect(page.locator("#analytics-filters")).to_be_hidden()  # folded with the other filters
    assert _overflow(page) == 0
    page.click("#filters-toggle")
    page.locator("#analytics-filters summary").click()
    page.select_option("#id_churn_warning", "true")
    expect(page.locator("[data-churn-warning]")).to_have_count(1)
    expect(page.locator("[data-count]")).to_have_attribute("data-count", "1")
    assert _overflow(page) == 0
    page.set_viewport_size({"width": 1440, "height": 900})
    expect(page.locator("#customer-results")).to_contain_text(re.compile(r"1,?234\.50"))
