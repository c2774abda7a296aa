"""The public survey page (no login, CSRF-checked, both languages) and the satisfaction
dashboard."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from guanxi.service import surveys
from guanxi.service.survey_models import SurveyInvitation, SurveyResponse
from guanxi.service.tests.conftest import CONTEXT
from guanxi.service.tests.test_surveys import make_template
from guanxi.web.tests.support import client_for

ANSWER = {"csat": "5", "nps": "9", "comment": "很好", "el_speed_importance": "5",
          "el_speed_performance": "4", "el_courtesy_importance": "3",
          "el_courtesy_performance": "5"}  # fmt: skip


@pytest.fixture
def invited(admin_viewer, make_customer):
    template = make_template(admin_viewer)
    customer = make_customer("王芳")
    return surveys.survey_invite(
        viewer=admin_viewer, template_id=template.pk, customer_id=customer.pk, context=CONTEXT
    )


def url(raw: str, lang: str = "") -> str:
    return f"/service/survey/{raw}/" + (f"?lang={lang}" if lang else "")


def open_form(raw: str, lang: str = "") -> tuple[Client, str, object]:
    """A customer's browser (CSRF enforced) that opened the link: its CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url(raw, lang))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    return browser, token.group(1), page


def test_opening_the_link_shows_the_form_in_chinese_and_records_nothing(invited):
    invitation, raw = invited
    _browser, _csrf, page = open_form(raw)
    assert page.status_code == 200
    assert "您对本次服务满意吗？" in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.answered_at is None
    assert not SurveyResponse.objects.exists()


def test_the_form_is_shown_in_english_when_asked(invited):
    _invitation, raw = invited
    _browser, _csrf, page = open_form(raw, "en")
    assert "How satisfied are you?" in page.content.decode()


def test_the_link_page_sends_its_address_to_no_other_site(invited):
    _invitation, raw = invited
    _browser, _csrf, page = open_form(raw)
    assert page["Referrer-Policy"] == "same-origin"


def test_submitting_the_form_records_the_answer_once(invited):
    invitation, raw = invited
    browser, csrf, _page = open_form(raw)
    done = browser.post(url(raw), {**ANSWER, "csrfmiddlewaretoken": csrf})
    assert done.status_code == 200
    assert 'id="survey-thanks"' in done.content.decode()
    response = SurveyResponse.objects.get()
    assert (response.invitation_id, response.csat, response.nps) == (invitation.pk, 5, 9)


def test_a_second_submission_is_refused_with_410_and_changes_nothing(invited):
    _invitation, raw = invited
    browser, csrf, _page = open_form(raw)
    browser.post(url(raw), {**ANSWER, "csrfmiddlewaretoken": csrf})
    again = browser.post(url(raw), {**ANSWER, "csat": "1", "csrfmiddlewaretoken": csrf})
    assert again.status_code == 410
    assert 'data-state="answered"' in again.content.decode()
    assert list(SurveyResponse.objects.values_list("csat", flat=True)) == [5]


def test_an_expired_link_shows_a_clear_410_page(invited):
    invitation, raw = invited
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    page = Client().get(url(raw))
    assert page.status_code == 410
    assert 'data-state="expired"' in page.content.decode()


def test_an_unknown_link_is_not_found(db):
    assert Client().get(url("no-such-token")).status_code == 404


def test_a_submission_without_the_csrf_token_is_refused(invited):
    _invitation, raw = invited
    browser, _csrf, _page = open_form(raw)
    assert browser.post(url(raw), ANSWER).status_code == 403
    assert not SurveyResponse.objects.exists()


def test_an_answer_out_of_range_is_shown_on_its_field_and_records_nothing(invited):
    _invitation, raw = invited
    browser, csrf, _page = open_form(raw)
    page = browser.post(url(raw), {**ANSWER, "nps": "12", "csrfmiddlewaretoken": csrf})
    assert page.status_code == 422
    assert 'id="nps-errors"' in page.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_missing_score_is_shown_on_its_field(invited):
    _invitation, raw = invited
    browser, csrf, _page = open_form(raw)
    data = {k: v for k, v in ANSWER.items() if k != "el_speed_performance"}
    page = browser.post(url(raw), {**data, "csrfmiddlewaretoken": csrf})
    assert page.status_code == 422
    assert 'id="el_speed_performance-errors"' in page.content.decode()


def _answer_several(admin_viewer, make_customer, count: int) -> None:
    template = make_template(admin_viewer, name="季度回访", kind="periodic")
    for n in range(count):
        customer = make_customer(f"客户{n}")
        _inv, raw = surveys.survey_invite(
            viewer=admin_viewer, template_id=template.pk, customer_id=customer.pk, context=CONTEXT
        )
        elements = {"speed": {"importance": 5, "performance": 2 + n % 3},
                    "courtesy": {"importance": 3, "performance": 4}}  # fmt: skip
        surveys.survey_response_record(
            token=raw, context=CONTEXT, csat=1 + n % 5, nps=n % 11, comment="", elements=elements
        )


def test_the_dashboard_shows_scores_by_branch_in_few_queries(
    staff, admin_viewer, make_customer, django_assert_max_num_queries
):
    _answer_several(admin_viewer, make_customer, 6)
    browser = client_for(staff["branch_manager"])
    with django_assert_max_num_queries(14):
        page = browser.get("/service/satisfaction/?group_by=branch")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="satisfaction-data"' in body
    assert "办理速度" in body


def test_the_dashboard_answers_htmx_with_its_results_only(staff, admin_viewer, make_customer):
    _answer_several(admin_viewer, make_customer, 2)
    page = client_for(staff["admin"]).get(
        "/service/satisfaction/?group_by=agent", headers={"HX-Request": "true"}
    )
    body = page.content.decode()
    assert 'id="satisfaction-results"' in body
    assert "<html" not in body


def test_a_marketer_may_not_open_the_dashboard(staff):
    assert client_for(staff["marketer"]).get("/service/satisfaction/").status_code == 403
