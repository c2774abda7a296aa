"""The analytics dashboard in a real browser: the charts draw, in Chinese, without errors."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guanxi.insights import services
from guanxi.insights.models import CustomerScore
from guanxi.web.tests.test_browser import (  # noqa: F401 (fixtures)
    _overflow,
    browser,
    login,
    open_page,
)

SCREENSHOT = Path("/tmp/guanxi-analytics-zh.png")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_every_chart(open_page, demo_store, staff):  # noqa: F811
    run = services.run_analysis()
    assert run.status == "finished", run.error
    page = open_page("zh-CN")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Content-Security-Policy violations are reported on the console.
    page.on("console", lambda m: errors.append(m.text) if "Security Policy" in m.text else None)

    login(page, "analyst")
    page.goto("/analytics/")

    for chart in ("pyramid", "heatmap", "lorenz", "clv", "segments"):
        expect(page.locator(f"#chart-{chart} svg")).to_have_count(1)
    expect(page.locator("h1.page-title")).to_contain_text("分析")
    expect(page.locator("#churn-list tbody tr").first).to_be_visible()
    page.locator("#chart-pyramid svg").hover()  # a tooltip, drawn under the policy too
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert errors == []


def test_the_churn_model_fits_a_phone_screen_on_the_dashboard_and_the_360_page(
    open_page,  # noqa: F811
    demo_store,
    staff,
):
    run = services.run_analysis()
    assert run.status == "finished", run.error
    explained = CustomerScore.objects.filter(run=run).exclude(churn_model_reasons=None).first()
    assert explained is not None
    page = open_page("zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})

    login(page, "admin")
    page.goto("/analytics/")
    expect(page.locator("#churn-model")).to_contain_text("ROC")
    assert _overflow(page) == 0
    page.goto(reverse("customers:detail", args=[explained.customer_id]))
    expect(page.locator("#insights-churn-model li").first).to_contain_text("流失概率提高")
    assert _overflow(page) == 0
