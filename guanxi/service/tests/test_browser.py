"""The case pages in a real browser, on a phone's width: log a complaint through the form,
find it in the desk's queue with its SLA clock (and filtered out of the breached ones),
acknowledge it with a promised reply time, resolve it with a root cause and the
customer's confirmation, and see it leave the queue.

Run with ``pytest -m browser``; the browser fixtures are those of guanxi/web/tests.
"""

# The browser fixtures are imported from test_browser, and tests name them as arguments.
# ruff: noqa: F811

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from guanxi.activities.tests.test_browser import PHONE, _overflow
from guanxi.service import case_reference, sla_policies
from guanxi.service.case_models import Case
from guanxi.service.tests.conftest import CONTEXT
from guanxi.web.tests.test_browser import browser, login, open_page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk_setup(admin_viewer, desk):
    """Complaints of normal priority have an SLA on the desk's calendar; one root cause."""
    sla_policies.sla_policy_create(
        viewer=admin_viewer, case_type="complaint", priority="normal", first_response_minutes=240,
        resolution_minutes=2400, calendar_id=desk.pk, context=CONTEXT,
    )  # fmt: skip
    return case_reference.root_cause_create(
        viewer=admin_viewer, code="FEE", name="收费不透明", name_en="Unclear fees", context=CONTEXT
    )


def test_a_complaint_is_logged_acknowledged_resolved_and_leaves_the_queue_on_a_phone(
    open_page, make_customer, desk_setup
):
    customer = make_customer("王芳")
    page = open_page()
    page.set_viewport_size(PHONE)
    login(page, "admin")
    page.goto(f"/customers/{customer.pk}/")
    page.click("#open-case")
    page.wait_for_url("**/service/cases/new/**")
    expect(page.locator("#id_customer_id")).to_have_value(str(customer.pk))
    assert _overflow(page) == 0
    page.select_option("#id_case_type", "complaint")
    page.select_option("#id_channel", "hotline")
    page.fill("#id_subject", "理财赎回手续费不透明")
    page.fill("#id_description", "客户来电称赎回时被收取了未告知的手续费。")
    page.click("#save-case")
    page.wait_for_url("**/service/cases/*/")
    case = Case.objects.get()
    assert case.case_type == "complaint" and case.resolution_due is not None

    page.goto("/service/")
    row = page.locator(f'tr[data-case="{case.pk}"]')
    expect(row).to_contain_text("理财赎回手续费不透明")
    expect(row.locator("[data-sla]")).to_have_attribute("data-sla", "on_time")
    expect(row.locator(".sla-clock")).to_contain_text("working time left")
    assert _overflow(page) == 0
    # Choosing a filter makes HTMX fetch the table alone, no submit.
    with page.expect_response(lambda r: "sla_status=breached" in r.url):
        page.select_option("#id_sla_status", "breached")
    expect(page.locator("#case-results")).not_to_contain_text("理财赎回手续费不透明")
    with page.expect_response(lambda r: "sla_status=on_time" in r.url):
        page.select_option("#id_sla_status", "on_time")

    row.get_by_role("link", name="理财赎回手续费不透明").click()
    page.wait_for_url(f"**/service/cases/{case.pk}/")
    assert _overflow(page) == 0
    promise = timezone.localtime(timezone.now() + timedelta(days=2))
    page.fill("#id_acknowledged_promised_reply_at", promise.strftime("%Y-%m-%dT%H:%M"))
    page.click('[data-move="acknowledged"]')
    page.wait_for_url(f"**/service/cases/{case.pk}/")
    expect(page.locator("#case-state")).to_have_text("Acknowledged")
    expect(page.locator("#case-promise")).to_contain_text(promise.strftime("%Y-%m-%d %H:%M"))

    page.select_option("#id_resolved_root_cause_id", str(desk_setup.pk))
    page.check("#id_resolved_customer_confirmed")
    page.fill("#id_resolved_note", "退还手续费并致歉")
    page.click('[data-move="resolved"]')
    page.wait_for_url(f"**/service/cases/{case.pk}/")
    expect(page.locator("#case-state")).to_have_text("Resolved")
    expect(page.locator("#case-root-cause")).to_have_text("Unclear fees")
    expect(page.locator("#case-timeline")).to_contain_text("退还手续费并致歉")
    assert _overflow(page) == 0

    page.goto("/service/")
    expect(page.locator("#case-results")).not_to_contain_text("理财赎回手续费不透明")
    expect(page.locator("#case-count")).to_contain_text("0 open cases")


def test_a_resolved_case_is_surveyed_through_the_public_link_and_a_detractor_is_followed_up(
    open_page, make_customer, desk_setup, admin_viewer
):
    from guanxi.core.events.dispatch import dispatch_pending
    from guanxi.org.models import hash_token
    from guanxi.service import cases
    from guanxi.service.case_transitions import case_transition
    from guanxi.service.survey_models import SurveyInvitation, SurveyResponse
    from guanxi.service.survey_templates import survey_template_create

    survey_template_create(
        viewer=admin_viewer, name="服务满意度", name_en="Service satisfaction", kind="after_case",
        csat_question="您对本次服务满意吗？", csat_question_en="How satisfied are you?",
        nps_question="您有多大可能向朋友推荐我们？", nps_question_en="Would you recommend us?",
        comment_question="还有什么建议？", context=CONTEXT,
        elements=[{"code": "speed", "name": "办理速度", "name_en": "Speed"}],
    )  # fmt: skip
    customer = make_customer("王芳")
    case = cases.case_create(
        viewer=admin_viewer, customer_id=customer.pk, case_type="complaint", channel="hotline",
        priority="normal", subject="理财赎回手续费不透明", context=CONTEXT,
    )  # fmt: skip
    page = open_page()
    page.set_viewport_size(PHONE)
    login(page, "admin")
    case.refresh_from_db()
    case_transition(
        viewer=admin_viewer, case_id=case.pk, state="acknowledged", expected_version=case.version,
        context=CONTEXT, promised_reply_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    page.goto(f"/service/cases/{case.pk}/")
    page.select_option("#id_resolved_root_cause_id", str(desk_setup.pk))
    page.check("#id_resolved_contact_attempted")
    page.click('[data-move="resolved"]')
    page.wait_for_url(f"**/service/cases/{case.pk}/")
    expect(page.locator("#case-state")).to_have_text("Resolved")
    dispatch_pending()
    invitation = SurveyInvitation.objects.get(case=case)
    raw = "browser-test-link"  # the mailed token is not kept; give the invitation a known one
    SurveyInvitation.objects.filter(pk=invitation.pk).update(token_hash=hash_token(raw))

    customer_page = open_page()  # the customer's phone: no login
    customer_page.set_viewport_size(PHONE)
    customer_page.goto(f"/service/survey/{raw}/")
    expect(customer_page.locator("#survey-title")).to_have_text("服务满意度")
    assert _overflow(customer_page) == 0
    assert not SurveyResponse.objects.exists()  # opening the link recorded nothing
    customer_page.click("#survey-language")
    expect(customer_page.locator("#q-csat legend")).to_have_text("How satisfied are you?")
    customer_page.click('label[for="id_csat_1"]')  # 2 of 5
    customer_page.click('label[for="id_nps_3"]')  # 3 of 10
    customer_page.click('label[for="id_el_speed_importance_4"]')
    customer_page.click('label[for="id_el_speed_performance_1"]')
    customer_page.fill("#id_comment", "等了太久")
    customer_page.click("#survey-submit")
    expect(customer_page.locator("#survey-thanks")).to_be_visible()
    response = SurveyResponse.objects.get()
    assert (response.csat, response.nps) == (2, 3)

    dispatch_pending()
    response.refresh_from_db()
    follow_up = response.follow_up_case
    assert follow_up is not None and follow_up.case_type == "service_request"
    page.goto("/service/")
    expect(page.locator(f'tr[data-case="{follow_up.pk}"]')).to_be_visible()
    page.goto("/service/satisfaction/")
    expect(page.locator("#satisfaction-groups")).to_contain_text("2.0")
    expect(page.locator("#chart-satisfaction-trend svg")).to_be_visible()
    assert _overflow(page) == 0
