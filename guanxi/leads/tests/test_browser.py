"""The lead pages in a real browser: capture a lead, convert it with an opportunity, find
the opportunity on the pipeline board and drag it one stage on.

Run with ``pytest -m browser``; the browser fixtures are those of guanxi/web/tests.
"""

# The browser fixtures are imported from test_browser, and tests name them as arguments.
# ruff: noqa: F811

import pytest
from playwright.sync_api import expect

from guanxi.leads.models import Lead
from guanxi.sales.defaults import ensure_default_pipeline
from guanxi.sales.models import Opportunity, Pipeline, Stage
from guanxi.web.tests.test_browser import browser, login, open_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stages(transactional_db) -> dict[str, Stage]:
    pipeline = ensure_default_pipeline(Pipeline, Stage)
    return {s.code: s for s in pipeline.stages.all()}


def test_a_captured_lead_is_converted_and_its_opportunity_moves_on_the_board(
    open_page, staff, stages
):
    page = open_page()
    login(page, "am")
    page.goto("/leads/")
    page.click("#new-lead")
    page.fill("#id_name", "钱多多")
    page.select_option("#id_source", "referral")
    page.fill("#id_phone", "13655556666")
    page.fill("#id_company", "多多贸易有限公司")
    page.click("#save-lead")
    page.wait_for_url("**/leads/*/")
    expect(page.locator("#lead-score")).to_contain_text("Works for a named company")

    page.fill("#id_opportunity_name", "企业结算账户")
    page.fill("#id_amount", "800000")
    page.click("#convert")
    page.wait_for_url("**/sales/*/")
    opportunity = Opportunity.objects.get()
    assert Lead.objects.get().customer_id == opportunity.customer_id
    expect(page.locator("#opportunity-stage")).to_have_text("Information gathering")

    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto("/sales/board/")
    card = page.locator(f"#card-{opportunity.pk}")
    expect(card).to_contain_text("企业结算账户")
    target = page.locator(f'section[data-stage-id="{stages["first_visit"].pk}"] [data-drop]')
    with page.expect_response(lambda r: r.url.endswith(f"/sales/{opportunity.pk}/stage/")):
        card.drag_to(target)
    expect(target.locator(f"#card-{opportunity.pk}")).to_be_visible()
    opportunity.refresh_from_db()
    assert opportunity.stage_id == stages["first_visit"].pk
