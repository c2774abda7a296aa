"""The Content-Security-Policy in a real browser: the main pages work under it, unreported."""

import pytest
from playwright.sync_api import expect

from guanxi.web.tests.test_browser import (  # noqa: F401 (fixtures)
    browser,
    customers,
    login,
    open_page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch(page) -> list[str]:
    """Collects policy violations, which Chromium reports on the console, and script errors."""
    reports: list[str] = []

    def console(message) -> None:
        if "Content Security Policy" in message.text:
            reports.append(f"{page.url}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda exc: reports.append(f"{page.url}: {exc}"))
    return reports


def test_the_main_pages_report_no_policy_violation(open_page, customers):  # noqa: F811
    zhang = customers["zhang"]
    page = open_page()
    reports = _watch(page)
    login(page, "bm")
    with page.expect_response(lambda r: "q=zs" in r.url):
        page.fill("#id_q", "zs")
    expect(page.locator("#customer-results")).to_contain_text("张三")
    page.goto(f"/customers/{zhang.pk}/")
    field = page.locator("#field-id_number")
    field.locator("[data-reveal=id_number]").click()
    field.locator("#id_reason").fill("客户来电核实身份")
    field.locator("button[type=submit]").click()
    expect(field.locator("[data-revealed=id_number]")).to_have_text(zhang.id_number)
    page.goto(f"/customers/{zhang.pk}/edit/")
    page.click("#user-menu > a")  # Tabler's dropdown
    expect(page.locator("#logout")).to_be_visible()
    page.goto("/analytics/")
    assert reports == []


def test_the_api_docs_render_from_this_server_under_the_policy(
    open_page,  # noqa: F811
    customers,  # noqa: F811
    live_server,
):
    page = open_page()
    reports = _watch(page)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    login(page, "analyst")
    page.goto("/api/v1/docs")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("Guanxi CRM API")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert reports == []
    assert any(u.endswith("swagger-ui-bundle.js") for u in requested)
    elsewhere = [u for u in requested if not u.startswith((live_server.url, "data:"))]
    assert elsewhere == []
