"""The KPI dashboard on a phone, in Chinese: charts drawn with every label inside them, no
sideways scrolling, and a preset period swapped in by HTMX with its charts drawn again."""

# The browser fixtures are imported from test_browser, and tests name them as arguments.
# ruff: noqa: F811

import pytest
from playwright.sync_api import expect

from guanxi.insights.tests.test_browser_layout import MEASURE
from guanxi.web.tests.test_browser import browser, login, open_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHARTS = ("contacts", "coverage", "response", "win-rate", "revenue", "funnel")


def test_the_dashboard_reads_on_a_phone_and_swaps_periods(open_page, quarter):
    page = open_page("zh-CN")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "bm", landing="/kpis/?period_start=2026-04-01&period_end=2026-06-30")
    expect(page.locator("#kpi-groups")).to_contain_text("李经理")
    for chart in CHARTS:
        expect(page.locator(f"#chart-{chart} svg text").first).to_be_visible()
    problems = page.evaluate(MEASURE)
    assert problems == [], problems
    page.click('#kpi-presets [data-preset="quarter"]')
    quarter_button = page.locator('#kpi-presets [data-preset="quarter"]')
    expect(quarter_button).to_have_class("btn btn-sm btn-primary")
    expect(page.locator("#chart-funnel svg text").first).to_be_visible()
    assert "period_start=" in page.url
    problems = page.evaluate(MEASURE)
    assert problems == [], problems
