"""Satisfaction surveys through their services: configuring a survey, inviting a customer
(by hand, and after a resolved case), recording an answer once, and the detractor's
follow-up case."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guanxi import policy
from guanxi.core.events.dispatch import dispatch_pending
from guanxi.service import cases, surveys
from guanxi.service.case_models import Case
from guanxi.service.case_transitions import case_transition
from guanxi.service.survey_models import SurveyInvitation, SurveyResponse
from guanxi.service.survey_templates import survey_template_create, survey_template_update
from guanxi.service.tests.conftest import CONTEXT

ELEMENTS = [
    {"code": "speed", "name": "办理速度", "name_en": "Speed"},
    {"code": "courtesy", "name": "服务态度", "name_en": "Courtesy"},
]
GOOD: dict = {"csat": 5, "nps": 10, "comment": "很满意",
        "elements": {"speed": {"importance": 5, "performance": 4},
                     "courtesy": {"importance": 4, "performance": 5}}}  # fmt: skip


def make_template(admin_viewer, kind: str = "after_case", **extra):
    return survey_template_create(
        viewer=admin_viewer, name=extra.pop("name", "服务满意度"), name_en="Service satisfaction",
        kind=kind, csat_question="您对本次服务满意吗？", csat_question_en="How satisfied are you?",
        nps_question="您有多大可能向朋友推荐我们？",
        nps_question_en="How likely are you to recommend us?",
        comment_question="还有什么建议？", comment_question_en="Anything else?",
        elements=extra.pop("elements", ELEMENTS), context=CONTEXT, **extra,
    )  # fmt: skip


@pytest.fixture
def template(admin_viewer):
    return make_template(admin_viewer)


@pytest.fixture
def customer(make_customer):
    return make_customer("王芳")


@pytest.fixture
def invited(admin_viewer, template, customer):
    """An open invitation of the customer and its raw token."""
    return surveys.survey_invite(
        viewer=admin_viewer, template_id=template.pk, customer_id=customer.pk, context=CONTEXT
    )


def answer(token: str, **answers):
    return surveys.survey_response_record(token=token, context=CONTEXT, **{**GOOD, **answers})


def test_only_an_administrator_configures_a_survey(staff):
    with pytest.raises(PermissionDenied):
        make_template(policy.Viewer.of(staff["service_agent"]))


def test_a_survey_asks_at_least_one_question(admin_viewer):
    with pytest.raises(ValidationError) as refused:
        survey_template_create(viewer=admin_viewer, name="空", kind="periodic", context=CONTEXT)
    assert "csat_question" in refused.value.message_dict


def test_a_service_element_given_twice_is_refused_naming_elements(admin_viewer):
    with pytest.raises(ValidationError) as refused:
        make_template(admin_viewer, elements=[ELEMENTS[0], ELEMENTS[0]])
    assert "elements" in refused.value.message_dict


def test_a_stale_version_of_a_survey_changes_nothing(admin_viewer, template):
    from guanxi.concurrency import VersionConflict

    def rename(name: str):
        return survey_template_update(
            viewer=admin_viewer, template_id=template.pk, changes={"name": name},
            expected_version=1, context=CONTEXT,
        )  # fmt: skip

    rename("新名")
    with pytest.raises(VersionConflict):
        rename("旧名")
    template.refresh_from_db()
    assert template.name == "新名"


def test_the_raw_token_is_not_stored(invited):
    invitation, raw = invited
    assert len(raw) >= 40
    assert raw not in SurveyInvitation.objects.values_list("token_hash", flat=True)
    assert surveys.invitation_for_token(raw) == invitation


def test_an_answer_is_recorded_once_with_its_ratings(invited):
    invitation, raw = invited
    response = answer(raw)
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    assert (response.csat, response.nps, response.comment) == (5, 10, "很满意")
    ratings = {r.element: (r.importance, r.performance) for r in response.element_ratings.all()}
    assert ratings == {"speed": (5, 4), "courtesy": (4, 5)}


def test_a_second_answer_is_refused_and_changes_nothing(invited):
    _invitation, raw = invited
    first = answer(raw)
    with pytest.raises(surveys.SurveyClosed) as refused:
        answer(raw, csat=1, nps=0)
    assert refused.value.state == surveys.ANSWERED
    assert list(SurveyResponse.objects.values_list("pk", "csat", "nps")) == [(first.pk, 5, 10)]


def test_an_expired_link_is_refused_and_records_nothing(invited):
    invitation, raw = invited
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(surveys.SurveyClosed) as refused:
        answer(raw)
    assert refused.value.state == surveys.EXPIRED
    assert "token" in refused.value.message_dict
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"csat": 6}, "csat"),
        ({"csat": 0}, "csat"),
        ({"nps": 11}, "nps"),
        ({"nps": -1}, "nps"),
        ({"csat": None}, "csat"),
        ({"elements": {"speed": {"importance": 9, "performance": 4}}}, "elements.speed.importance"),
        ({"elements": {**GOOD["elements"], "price": {"importance": 3, "performance": 3}}},
         "elements.price"),
    ],
)  # fmt: skip
def test_an_answer_out_of_range_is_refused_naming_the_field(invited, answers, field):
    invitation, raw = invited
    with pytest.raises(ValidationError) as refused:
        answer(raw, **answers)
    assert field in refused.value.message_dict
    invitation.refresh_from_db()
    assert invitation.answered_at is None
    assert not SurveyResponse.objects.exists()


def test_a_customer_out_of_scope_cannot_be_invited(staff, template, make_customer, org):
    other = make_customer("孙丽", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)
    with pytest.raises(ValidationError) as refused:
        surveys.survey_invite(
            viewer=policy.Viewer.of(staff["account_manager"]), template_id=template.pk,
            customer_id=other.pk, context=CONTEXT,
        )  # fmt: skip
    assert "customer_id" in refused.value.message_dict


def _resolved_case(admin_viewer, customer) -> Case:
    case = cases.case_create(
        viewer=admin_viewer, customer_id=customer.pk, case_type="inquiry", channel="hotline",
        priority="normal", subject="理财到期咨询", context=CONTEXT,
    )  # fmt: skip
    for state in ("acknowledged", "resolved"):
        case.refresh_from_db()
        case_transition(viewer=admin_viewer, case_id=case.pk, state=state,
                        expected_version=case.version, context=CONTEXT)  # fmt: skip
    return case


def test_a_resolved_case_invites_its_customer_once_and_mails_the_link(
    admin_viewer, template, customer, django_capture_on_commit_callbacks
):
    case = _resolved_case(admin_viewer, customer)
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_pending()
        dispatch_pending()
    invitation = SurveyInvitation.objects.get()
    assert (invitation.case_id, invitation.customer_id) == (case.pk, customer.pk)
    assert len(mail.outbox) == 1
    assert "/service/survey/" in mail.outbox[0].body


def _answered_about_case(admin_viewer, customer, **answers) -> SurveyResponse:
    case = _resolved_case(admin_viewer, customer)
    dispatch_pending()
    invitation = SurveyInvitation.objects.get(case=case)
    raw = "test-token-" + str(invitation.pk)
    from guanxi.org.models import hash_token

    SurveyInvitation.objects.filter(pk=invitation.pk).update(token_hash=hash_token(raw))
    response = answer(raw, **answers)
    dispatch_pending()
    response.refresh_from_db()
    return response


@pytest.mark.parametrize(("csat", "nps"), [(4, 6), (2, 9)])
def test_a_detractor_opens_a_follow_up_service_request(admin_viewer, template, customer, csat, nps):
    response = _answered_about_case(admin_viewer, customer, csat=csat, nps=nps)
    follow_up = response.follow_up_case
    assert follow_up is not None
    assert (follow_up.case_type, follow_up.customer_id) == ("service_request", customer.pk)
    assert Case.objects.count() == 2


def test_a_promoter_opens_no_follow_up_case(admin_viewer, template, customer):
    response = _answered_about_case(admin_viewer, customer, csat=5, nps=9)
    assert response.follow_up_case is None
    assert Case.objects.count() == 1


def test_an_answer_about_a_case_is_counted_for_its_branch_and_agent(
    admin_viewer, template, customer, staff
):
    response = _answered_about_case(admin_viewer, customer)
    assert response.branch_id == customer.branch_id
    assert response.agent_id == staff["account_manager"].pk  # no agent: the account manager


@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_link_at_once_record_one_answer(staff, make_customer) -> None:
    import threading

    from django.db import connection

    admin = policy.Viewer.of(staff["admin"])
    template = make_template(admin)
    customer = make_customer("王芳")
    _invitation, raw = surveys.survey_invite(
        viewer=admin, template_id=template.pk, customer_id=customer.pk, context=CONTEXT
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(csat: int) -> None:
        barrier.wait()
        try:
            answer(raw, csat=csat)
            outcomes.append(f"saved {csat}")
        except surveys.SurveyClosed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(csat,)) for csat in (1, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.split()[0] for o in outcomes) == ["refused", "saved"]
    [kept] = SurveyResponse.objects.values_list("csat", flat=True)
    assert f"saved {kept}" in outcomes
