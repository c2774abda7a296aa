"""The surveys API: configuring surveys, inviting, reading answers in scope, the report;
every refusal a JSON 4xx naming the field."""

import pytest

from guanxi.scheduling.tests.conftest import smtp  # noqa: F401  (the real SMTP server)
from guanxi.service import surveys
from guanxi.service.survey_models import SurveyInvitation, SurveyTemplate
from guanxi.service.tests.conftest import CONTEXT
from guanxi.service.tests.test_surveys import ELEMENTS, GOOD, make_template

SURVEY = {
    "name": "季度满意度", "name_en": "Quarterly satisfaction", "kind": "periodic",
    "csat_question": "满意吗？", "csat_question_en": "Satisfied?", "nps_question": "推荐吗？",
    "nps_question_en": "Recommend us?", "elements": ELEMENTS,
}  # fmt: skip


def fields(response) -> list[str]:
    assert response["Content-Type"].startswith("application/json")
    return [d["field"] for d in response.json()["detail"]]


@pytest.fixture
def template(admin_viewer):
    return make_template(admin_viewer)


def answered(admin_viewer, template, customer, **answers):
    _inv, raw = surveys.survey_invite(
        viewer=admin_viewer, template_id=template.pk, customer_id=customer.pk, context=CONTEXT
    )
    return surveys.survey_response_record(token=raw, context=CONTEXT, **{**GOOD, **answers})


def test_an_administrator_adds_a_survey(api_as):
    created = api_as("admin").post("/api/v1/surveys", SURVEY, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["elements"][0]["code"] == "speed"


def test_an_agent_reads_surveys_but_may_not_add_one(api_as, template):
    agent = api_as("service_agent")
    assert agent.get("/api/v1/surveys").json()[0]["id"] == template.pk
    refused = agent.post("/api/v1/surveys", SURVEY, content_type="application/json")
    assert refused.status_code == 403
    assert SurveyTemplate.objects.count() == 1


def test_a_survey_without_questions_is_a_422_naming_the_field(api_as):
    empty = {"name": "空", "kind": "periodic"}
    refused = api_as("admin").post("/api/v1/surveys", empty, content_type="application/json")
    assert refused.status_code == 422
    assert fields(refused) == ["csat_question"]


def test_a_bad_element_code_is_a_422_naming_the_field(api_as):
    bad = {**SURVEY, "elements": [{"code": "Speed!", "name": "速度"}]}
    refused = api_as("admin").post("/api/v1/surveys", bad, content_type="application/json")
    assert refused.status_code == 422
    assert fields(refused)[0].startswith("elements")


def test_a_survey_change_needs_the_version(api_as, template):
    url = f"/api/v1/surveys/{template.pk}"
    refused = api_as("admin").patch(url, {"name": "新"}, content_type="application/json")
    assert refused.status_code == 422
    assert fields(refused) == ["version"]
    changed = api_as("admin").patch(
        url, {"name": "新", "version": 1}, content_type="application/json"
    )
    assert changed.json()["name"] == "新"


def test_an_invitation_answers_with_its_link_once(api_as, template, make_customer):
    customer = make_customer("王芳")
    body = {"template_id": template.pk, "customer_id": customer.pk}
    created = api_as("account_manager").post(
        "/api/v1/survey-invitations", body, content_type="application/json"
    )
    assert created.status_code == 201
    link = created.json()["link"]
    assert "/service/survey/" in link
    raw = link.rstrip("/").rsplit("/", 1)[1]
    assert surveys.invitation_for_token(raw) == SurveyInvitation.objects.get()
    listed = api_as("account_manager").get("/api/v1/survey-invitations").json()
    assert "link" not in listed["results"][0]
    assert listed["results"][0]["state"] == "open"


def test_inviting_a_customer_out_of_scope_is_a_422_naming_customer_id(
    api_as, template, make_customer, org, staff
):
    other = make_customer("孙丽", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)
    body = {"template_id": template.pk, "customer_id": other.pk}
    refused = api_as("account_manager").post(
        "/api/v1/survey-invitations", body, content_type="application/json"
    )
    assert refused.status_code == 422
    assert fields(refused) == ["customer_id"]


def test_an_account_manager_sees_only_the_answers_of_their_customers(
    api_as, admin_viewer, template, make_customer, org, staff
):
    own = answered(admin_viewer, template, make_customer("王芳"))
    other = make_customer("孙丽", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)
    theirs = answered(admin_viewer, template, other)
    manager = api_as("account_manager")
    listed = manager.get("/api/v1/survey-responses").json()
    assert [r["id"] for r in listed["results"]] == [own.pk]
    assert manager.get(f"/api/v1/survey-responses/{theirs.pk}").status_code == 404
    assert api_as("south_manager").get("/api/v1/survey-responses").json()["count"] == 1
    assert api_as("admin").get("/api/v1/survey-responses").json()["count"] == 2


def test_a_marketer_may_not_read_answers(api_as):
    assert api_as("marketer").get("/api/v1/survey-responses").status_code == 403


def test_the_report_gives_csat_nps_and_elements(api_as, admin_viewer, template, make_customer):
    answered(admin_viewer, template, make_customer("甲"), csat=5, nps=10)
    answered(admin_viewer, template, make_customer("乙"), csat=3, nps=8)
    answered(admin_viewer, template, make_customer("丙"), csat=1, nps=2)
    report = api_as("admin").get("/api/v1/survey-responses/report?group_by=branch").json()
    [row] = report["scores"]
    assert (row["responses"], row["csat"], row["nps"]) == (3, 3.0, 0.0)
    assert {e["element"] for e in report["elements"]} == {"speed", "courtesy"}


@pytest.mark.parametrize(
    "query",
    ["group_by=city", "start=2026-13-01", "page_size=1000", "start=2026-02-01&end=2026-01-01"],
)
def test_bad_report_and_list_parameters_are_json_422s(api_as, query):
    path = "/api/v1/survey-responses" if "page_size" in query else "/api/v1/survey-responses/report"
    refused = api_as("admin").get(f"{path}?{query}")
    assert refused.status_code == 422
    assert fields(refused)


def test_periodic_invitations_skip_customers_with_an_open_one(api_as, admin_viewer, make_customer):
    periodic = make_template(admin_viewer, name="季度回访", kind="periodic")
    first, second = make_customer("甲"), make_customer("乙")
    body = {"template_id": periodic.pk, "customer_ids": [first.pk]}
    manager = api_as("account_manager")
    url = "/api/v1/survey-invitations/periodic"
    assert manager.post(url, body, content_type="application/json").status_code == 201
    both = {**body, "customer_ids": [first.pk, second.pk]}
    created = manager.post(url, both, content_type="application/json").json()
    assert [i["customer_id"] for i in created] == [second.pk]
    assert SurveyInvitation.objects.count() == 2


def test_periodic_invitations_to_a_customer_out_of_scope_change_nothing(
    api_as, admin_viewer, make_customer, org, staff
):
    periodic = make_template(admin_viewer, name="季度回访", kind="periodic")
    own = make_customer("甲")
    other = make_customer("孙丽", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)
    body = {"template_id": periodic.pk, "customer_ids": [own.pk, other.pk]}
    refused = api_as("account_manager").post(
        "/api/v1/survey-invitations/periodic", body, content_type="application/json"
    )
    assert refused.status_code == 422
    assert fields(refused) == ["customer_ids"]
    assert not SurveyInvitation.objects.exists()


INVITE = "/api/v1/survey-invitations"


def test_an_invitation_with_mail_sends_the_link_in_its_language(
    api_as,
    template,
    make_customer,
    django_capture_on_commit_callbacks,
    smtp,  # noqa: F811
):
    customer = make_customer("王芳", email="wangfang@example.com")
    body = {"template_id": template.pk, "customer_id": customer.pk, "language": "en",
            "mail": True}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        created = api_as("account_manager").post(INVITE, body, content_type="application/json")
    assert created.status_code == 201 and created.json()["mailed"] is True
    [message] = smtp.messages
    assert str(message["To"]) == "wangfang@example.com"
    assert str(message["Subject"]) == "How did we do? Service satisfaction"
    token = created.json()["link"].rstrip("/").rsplit("/", 1)[1]
    assert token in message.get_content()


def test_mail_to_a_customer_without_an_address_is_a_422_naming_mail_and_invites_nobody(
    api_as, template, make_customer
):
    customer = make_customer("王芳", email="")
    body = {"template_id": template.pk, "customer_id": customer.pk, "mail": True}
    refused = api_as("account_manager").post(INVITE, body, content_type="application/json")
    assert refused.status_code == 422
    assert fields(refused) == ["mail"]
    assert not SurveyInvitation.objects.exists()


def test_periodic_invitations_with_mail_mail_those_with_an_address(
    api_as,
    admin_viewer,
    make_customer,
    django_capture_on_commit_callbacks,
    smtp,  # noqa: F811
):
    periodic = make_template(admin_viewer, name="季度回访", kind="periodic")
    with_address = make_customer("甲", email="jia@example.com")
    without = make_customer("乙", email="")
    body = {"template_id": periodic.pk, "customer_ids": [with_address.pk, without.pk],
            "mail": True}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        created = api_as("account_manager").post(
            f"{INVITE}/periodic", body, content_type="application/json"
        )
    assert created.status_code == 201
    assert [(i["customer_id"], i["mailed"]) for i in created.json()] == [
        (with_address.pk, True), (without.pk, False),
    ]  # fmt: skip
    assert [str(m["To"]) for m in smtp.messages] == ["jia@example.com"]
