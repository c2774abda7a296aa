"""The sales pages in a real browser: open an opportunity from the 360 page and drag it
across the pipeline board to won; a stale drag shows a message and puts the card back.

Run with ``pytest -m browser``; the browser fixtures are those of guanxi/web/tests.
"""

# The browser fixtures are imported from test_browser, and tests name them as arguments.
# ruff: noqa: F811

import pytest
from playwright.sync_api import expect

from guanxi.sales.defaults import ensure_default_pipeline
from guanxi.sales.models import Opportunity, Pipeline, Stage
from guanxi.web.tests.test_browser import browser, login, open_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def stages(transactional_db) -> dict[str, Stage]:
    pipeline = ensure_default_pipeline(Pipeline, Stage)
    return {s.code: s for s in pipeline.stages.all()}


def _drop_on(page, stage: Stage):
    return page.locator(f'section[data-stage-id="{stage.pk}"] [data-drop]')


def test_an_account_manager_opens_an_opportunity_and_drags_it_to_won(
    open_page, make_customer, stages
):
    customer = make_customer("王五")
    page = open_page()
    login(page, "am")
    page.goto(f"/customers/{customer.pk}/")
    page.click("#new-opportunity-for-customer")
    page.fill("#id_name", "私人银行开户")
    page.fill("#id_amount", "3000000")
    page.click("#save-opportunity")
    page.wait_for_url("**/sales/*/")
    opportunity = Opportunity.objects.get()
    expect(page.locator("#opportunity-stage")).to_have_text("Information gathering")

    page.set_viewport_size({"width": 1400, "height": 900})  # every column in view
    page.goto("/sales/board/")
    card = page.locator(f"#card-{opportunity.pk}")
    for code in ("first_visit", "needs_analysis", "proposal", "won"):
        with page.expect_response(lambda r: r.url.endswith(f"/sales/{opportunity.pk}/stage/")):
            card.drag_to(_drop_on(page, stages[code]))
        expect(page.locator("#board-message")).to_contain_text(stages[code].name_en)
        expect(_drop_on(page, stages[code]).locator(f"#card-{opportunity.pk}")).to_be_visible()
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.probability, opportunity.version) == ("won", 100, 5)
    assert opportunity.stage_history.count() == 5
    expect(card).to_have_attribute("draggable", "false")  # won is final


def test_a_stale_drag_shows_a_message_and_puts_the_card_back(open_page, make_customer, stages):
    from guanxi import policy
    from guanxi.audit.services import RequestContext
    from guanxi.sales import services
    from guanxi.sales.inputs import OpportunityFields

    customer = make_customer("赵六")
    admin = policy.Viewer.system()
    opportunity = services.opportunity_create(
        viewer=admin,
        fields=OpportunityFields(name="企业年金", customer_id=customer.pk),
        context=RequestContext(),
    )
    page = open_page()
    login(page, "am")
    page.goto("/sales/board/")
    # Someone else edits it after the board was read.
    Opportunity.objects.filter(pk=opportunity.pk).update(version=2)
    card = page.locator(f"#card-{opportunity.pk}")
    with page.expect_response(lambda r: r.status == 409):
        card.drag_to(_drop_on(page, stages["first_visit"]))
    expect(page.locator("#board-message")).to_contain_text("changed by someone else")
    expect(_drop_on(page, stages["information"]).locator(f"#card-{opportunity.pk}")).to_be_visible()
    opportunity.refresh_from_db()
    assert opportunity.stage_id == stages["information"].pk


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_sales_pages_fit_a_phone_and_report_no_policy_violation(
    open_page, make_customer, stages, locale
):
    from guanxi import policy
    from guanxi.audit.services import RequestContext
    from guanxi.sales import services
    from guanxi.sales.inputs import OpportunityFields

    customer = make_customer("钱七")
    opportunity = services.opportunity_create(
        viewer=policy.Viewer.system(),
        fields=OpportunityFields(name="跨境结算方案", customer_id=customer.pk),
        context=RequestContext(),
    )
    page = open_page(locale)
    reports: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and reports.append(m.text))
    page.on("pageerror", lambda exc: reports.append(str(exc)))
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "am")
    for url in ("/sales/", "/sales/board/", f"/sales/{opportunity.pk}/", "/sales/new/",
                f"/sales/{opportunity.pk}/edit/", "/sales/forecast/"):  # fmt: skip
        assert page.goto(url).status == 200, url
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow == 0, url  # the board scrolls inside itself, never the page
    assert reports == []
