"""The leads API: capture, read (masked as the role sees it), search, convert, web form."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.audit.models import AuditEntry
from guanxi.conftest import resident_id
from guanxi.customers.models import Customer
from guanxi.leads.models import Lead
from guanxi.sales.models import Opportunity

URL = "/api/v1/leads"
FORM = {"site": {"token": "form-secret", "branch": "BJ01"}}


def test_a_lead_is_captured_and_read_back_with_its_score_reasons(api_as):
    client = api_as("account_manager")
    created = client.post(
        URL, {"name": "王小明", "source": "walk_in", "phone": "13900001111"},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = client.get(f"{URL}/{created.json()['id']}").json()
    assert body["phone"].endswith("13900001111")
    assert {r["code"] for r in body["score_reasons"]} == {"phone", "walk_in"}
    assert "contacted" in body["next_statuses"]


def test_a_team_lead_sees_the_id_number_masked_and_the_read_is_audited(api_as, make_lead):
    number = resident_id()
    lead = make_lead(id_number=number)
    body = api_as("team_lead").get(f"{URL}/{lead.pk}").json()
    assert body["id_number"] != number and body["id_number"].startswith(number[:6])
    assert AuditEntry.objects.filter(action="read", object_type="lead").exists()


def test_a_lead_of_another_manager_reads_as_not_found(api_as, make_lead):
    lead = make_lead(by="other_manager")
    assert api_as("account_manager").get(f"{URL}/{lead.pk}").status_code == 404


def test_searching_by_phone_finds_the_lead_and_is_audited(api_as, make_lead):
    lead = make_lead()
    make_lead("别人", phone="13900002222")
    found = api_as("account_manager").get(URL, {"q": "13900001111"}).json()
    assert [x["id"] for x in found["results"]] == [lead.pk] and found["count"] == 1
    assert AuditEntry.objects.filter(action="search", object_type="lead").exists()


def test_converting_twice_is_a_422_naming_status_and_changes_nothing(api_as, make_lead, pipeline):
    client = api_as("account_manager")
    lead = make_lead()
    first = client.post(
        f"{URL}/{lead.pk}/convert", {"version": 1, "opportunity": {"name": "理财"}},
        content_type="application/json",
    )  # fmt: skip
    assert first.status_code == 200, first.content
    assert Opportunity.objects.get().pk == first.json()["opportunity_id"]
    again = client.post(
        f"{URL}/{lead.pk}/convert", {"version": first.json()["lead"]["version"]},
        content_type="application/json",
    )  # fmt: skip
    assert again.status_code == 422
    assert again.json()["detail"][0]["field"] == "status"
    assert Customer.objects.count() == 1 and Opportunity.objects.count() == 1


def test_a_conversion_matching_a_hidden_customer_is_a_409_naming_the_field(
    api_as, make_lead, make_customer, staff
):
    make_customer(phone="13900001111", owner_id=staff["other_manager"].pk)
    lead = make_lead()
    response = api_as("account_manager").post(
        f"{URL}/{lead.pk}/convert", {"version": 1}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["detail"][0]["field"] == "phone"
    assert "existing_id" not in response.json()
    assert Lead.objects.get().status == "new"


def test_the_web_form_takes_a_lead_without_a_login(client, settings, staff):
    settings.GUANXI_LEADS = {"web_forms": FORM}
    response = client.post(
        f"{URL}/web-form",
        {"form": "site", "token": "form-secret", "name": "网上客户", "phone": "13911112222"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    lead = Lead.objects.get()
    assert lead.source == "web_form" and lead.branch.code == "BJ01" and lead.created_by is None


@pytest.mark.parametrize(("form", "token"), [("site", "wrong"), ("other", "form-secret")])
def test_the_web_form_refuses_a_wrong_token_naming_it(client, settings, staff, form, token):
    settings.GUANXI_LEADS = {"web_forms": FORM}
    response = client.post(
        f"{URL}/web-form", {"form": form, "token": token, "name": "网上客户"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json()["detail"][0]["field"] == "token"
    assert not Lead.objects.exists()


def test_the_web_form_refuses_a_bad_phone_naming_it(client, settings, staff):
    settings.GUANXI_LEADS = {"web_forms": FORM}
    response = client.post(
        f"{URL}/web-form", {"form": "site", "token": "form-secret", "name": "客户", "phone": "1"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "phone"


def test_an_administrator_reads_and_sets_the_score_rules(api_as):
    client = api_as("admin")
    rules = {r["code"]: r["points"] for r in client.get(f"{URL}/score-rules").json()}
    assert rules["referral"] == 25
    put = client.put(
        f"{URL}/score-rules", {"points": {"referral": 40}}, content_type="application/json"
    )
    assert {r["code"]: r["points"] for r in put.json()}["referral"] == 40


def test_the_leads_are_in_the_openapi_schema(api_as):
    paths = api_as("admin").get("/api/v1/openapi.json").json()["paths"]
    assert {f"{URL}/{{lead_id}}/convert", f"{URL}/web-form", URL} <= set(paths)


def test_my_day_lists_my_leads_waiting_in_a_fixed_number_of_queries(api_as, make_lead):
    client = api_as("account_manager")
    make_lead("甲")
    client.get("/api/v1/my-day")
    with CaptureQueriesContext(connection) as few:
        assert [x["name"] for x in client.get("/api/v1/my-day").json()["leads"]] == ["甲"]
    for n in range(5):
        make_lead(f"乙{n}", phone=f"1390000{n:04d}")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/my-day").json()["leads"]) == 6
    assert len(few) == len(many)


def test_the_audit_log_names_lead_entries_and_hides_their_personal_values(api_as, make_lead):
    make_lead()
    entries = (
        api_as("auditor")
        .get("/api/v1/audit", {"object_type": "lead"}, HTTP_ACCEPT_LANGUAGE="en")
        .json()
    )
    assert entries and {e["object_type_label"] for e in entries} == {"Lead"}
    assert "13900001111" not in str(entries)
