"""In a real browser: schedule a meeting that clashes, see the clash, book it anyway; the
calendar never scrolls sideways on a phone."""

# The browser fixtures are imported from test_browser, and tests name them as arguments.
# ruff: noqa: F811

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from guanxi.activities.models import Activity
from guanxi.audit.models import AuditEntry
from guanxi.scheduling.tests.conftest import at
from guanxi.web.tests.test_browser import (  # noqa: F401 (fixtures)
    browser,
    login,
    open_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOMENT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def customer(transactional_db, make_customer):
    return make_customer("王富贵")


def test_a_clashing_meeting_shows_the_clash_and_is_booked_only_when_overridden(
    open_page, customer, staff, schedule
):
    schedule(customer, role="team_lead", subject="组内周会")
    page = open_page()
    login(page, "am", landing="/calendar/")
    page.click("#schedule-link")
    form = page.locator("#meeting-form")
    form.locator("#id_customer").select_option(str(customer.pk))
    form.locator("#id_subject").fill("资产配置面谈")
    form.locator("#id_starts_at").fill(at(hour=10, minute=30).strftime(MOMENT))
    form.locator("#id_ends_at").fill((at(hour=11, minute=30)).strftime(MOMENT))
    with page.expect_response(lambda r: "/calendar/busy/" in r.url):
        form.locator("#id_participants").select_option(str(staff["team_lead"].pk))
    expect(page.locator("#busy-times")).to_contain_text("10:00")
    assert "组内周会" not in page.locator("#busy-times").inner_text()
    page.click("#schedule-submit")
    conflict = page.locator("#conflict")
    expect(conflict).to_contain_text("陈组长")
    assert Activity.objects.count() == 1
    conflict.locator("#id_override_conflicts").check()
    page.click("#schedule-submit")
    page.wait_for_url("**/calendar/?view=day*")
    expect(page.locator("#calendar")).to_contain_text("资产配置面谈")
    assert Activity.objects.count() == 2
    assert AuditEntry.objects.filter(fields=["override_conflicts"]).exists()


@pytest.mark.parametrize("view", ["day", "week", "month"])
def test_the_calendar_never_scrolls_sideways_on_a_phone(open_page, customer, schedule, view):
    schedule(
        customer, subject="很长的会议主题" * 5, starts_at=at(), ends_at=at() + timedelta(hours=1)
    )
    page = open_page("zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "am", landing=f"/calendar/?view={view}&date={at().date().isoformat()}")
    expect(page.locator("#calendar")).to_contain_text("很长的会议主题")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0


def test_a_team_lead_switches_to_a_members_month_in_place(open_page, customer, staff, schedule):
    schedule(customer, subject="网点面谈")
    page = open_page("zh-CN")
    login(page, "lead", landing=f"/calendar/?date={at().date().isoformat()}")
    expect(page.locator("#calendar")).not_to_contain_text("网点面谈")
    with page.expect_response(lambda r: "/calendar/?" in r.url):
        page.select_option("#whose-calendar select[name=user]", str(staff["account_manager"].pk))
    expect(page.locator("#calendar")).to_contain_text("网点面谈")
    page.click("#calendar [data-view=month]")
    expect(page.locator("#calendar [data-view=month]")).to_have_class("btn btn-sm btn-primary")
    expect(page.locator("#calendar")).to_contain_text("网点面谈")
    assert "user=" in page.url and "view=month" in page.url


def test_the_scheduling_form_never_scrolls_sideways_on_a_phone(open_page, customer):
    page = open_page("zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "am", landing="/calendar/schedule/")
    expect(page.locator("#meeting-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") == 0
