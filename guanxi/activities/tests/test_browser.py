"""In a real browser: log a visit from the customer 360 page and see it on the timeline."""

# The browser fixtures are imported from test_browser, and tests name them as arguments.
# ruff: noqa: F811

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi import policy
from guanxi.activities import services
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import Activity
from guanxi.audit.services import RequestContext
from guanxi.web.tests.test_browser import (  # noqa: F401 (fixtures)
    browser,
    login,
    open_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def customer(transactional_db, make_customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_customer("王富贵")


def test_an_account_manager_lands_on_my_day(open_page, customer):
    page = open_page()
    login(page, "am", landing="/activities/my-day/")
    expect(page.locator("h1.page-title")).to_contain_text("My day")
    expect(page.locator("#main-nav .active")).to_contain_text("My day")


def test_a_visit_logged_from_the_360_page_shows_on_its_timeline(open_page, customer):
    page = open_page()
    login(page, "am")
    page.goto(f"/customers/{customer.pk}/")
    form = page.locator("#log-activity-form")
    form.locator("#id_kind").select_option("visit")
    form.locator("#id_subject").fill("上门拜访，介绍新理财")
    form.locator("#id_outcome").fill("客户有意向")
    with page.expect_response(lambda r: "/activities/new/" in r.url):
        form.locator("#log-activity-submit").click()
    page.wait_for_url(f"**/customers/{customer.pk}/")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("上门拜访，介绍新理财")
    expect(timeline).to_contain_text("客户有意向")
    assert Activity.objects.get().kind == "visit"


PHONE = {"width": 390, "height": 844}


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_my_day_the_list_and_an_activity_never_scroll_sideways_on_a_phone(
    open_page, customer, staff, locale
):
    task = services.activity_log(
        viewer=policy.Viewer.of(staff["account_manager"]),
        fields=ActivityFields(
            kind="task",
            customer_id=customer.pk,
            subject="准备资产配置方案",
            due_on=timezone.localdate(),
        ),  # fmt: skip
        context=RequestContext(),
    )
    page = open_page(locale)
    page.set_viewport_size(PHONE)
    login(page, "am", landing="/activities/my-day/")
    expect(page.locator("#agenda")).to_contain_text("准备资产配置方案")
    assert _overflow(page) == 0
    for url in ("/activities/", f"/activities/{task.pk}/"):
        assert page.goto(url).status == 200
        assert _overflow(page) == 0, url
    page.goto("/activities/my-day/")
    page.locator(f'[data-activity="{task.pk}"] [data-action="complete"]').click()
    page.wait_for_url("**/activities/my-day/")
    expect(page.locator("#agenda")).not_to_contain_text(
        "标记完成" if locale == "zh-CN" else "Mark done"
    )
