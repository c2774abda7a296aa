"""In a real browser, on a phone-sized screen: make this week's plan, plan a visit from the
portfolio, log the visit on the customer's 360 page, and see the plan completed."""

# The browser fixtures are imported from test_browser, and tests name them as arguments.
# ruff: noqa: F811

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.plans.models import Plan, PlanItem
from guanxi.web.tests.test_browser import (  # noqa: F401 (fixtures)
    browser,
    login,
    open_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_week_plan_is_made_a_visit_logged_and_the_plan_shows_it_done(open_page, make_customer):
    customer = make_customer("王富贵")
    page = open_page()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "am", landing="/plans/")
    page.click("#make-plan")
    expect(page.locator("#plan")).to_contain_text("0 / 0")
    form = page.locator("#item-form")
    form.locator("#id_customer").select_option(str(customer.pk))
    form.locator("#id_kind").select_option("visit")
    form.locator("#id_planned_on").fill(timezone.localdate().isoformat())
    form.locator("#id_purpose").fill("介绍新理财")
    with page.expect_response(lambda r: "/items/" in r.url):
        form.locator("#add-item").click()
    expect(page.locator("#plan-items")).to_contain_text("王富贵")
    expect(page.locator("#contacts-done")).to_have_text("0 / 1")
    assert PlanItem.objects.get().plan_id == Plan.objects.get().pk
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0

    page.goto(f"/customers/{customer.pk}/")
    log = page.locator("#log-activity-form")
    log.locator("#id_kind").select_option("visit")
    log.locator("#id_subject").fill("上门拜访")
    with page.expect_response(lambda r: "/activities/new/" in r.url):
        log.locator("#log-activity-submit").click()
    # The form is on the page it returns to, so the URL matches before the redirect has
    # loaded: wait for the logged visit on the timeline, or the next goto aborts it.
    expect(page.locator("#timeline")).to_contain_text("上门拜访")

    page.goto("/plans/")
    expect(page.locator("#contacts-done")).to_have_text("1 / 1")
    expect(page.locator("#plan-items .item-status")).to_have_text("Done")
    expect(page.locator("#agenda")).to_contain_text("王富贵")
