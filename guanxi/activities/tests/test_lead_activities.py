"""Activities about a lead: logged through the API and the lead's page, in the lead's scope
while it has no customer, its first response, and the customer's history once converted."""

import pytest
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi import policy
from guanxi.activities.models import Activity
from guanxi.activities.tests.conftest import CONTEXT
from guanxi.audit.models import AuditEntry
from guanxi.leads.conversion import lead_convert
from guanxi.leads.models import Lead

A = "/api/v1/activities"


def post(client, body):
    return client.post(A, body, content_type="application/json")


def fields_of(response) -> list[str]:
    return [d["field"] for d in response.json()["detail"]]


@pytest.fixture
def prospect(make_lead):
    """A new lead of the account manager, not answered yet."""
    return make_lead("钱先生")


@pytest.fixture
def southern(make_lead, staff, org):
    """A lead of the south branch's account manager."""
    return make_lead("孙女士", by="south_manager", branch_id=org["south"].pk)


def convert(staff, lead):
    lead.refresh_from_db()
    return lead_convert(
        viewer=policy.Viewer.of(staff["account_manager"]), lead_id=lead.pk,
        expected_version=lead.version, context=CONTEXT,
    )  # fmt: skip


def test_a_call_is_logged_on_a_lead_without_a_customer(api_as, prospect):
    response = post(api_as("account_manager"), {"kind": "call", "lead_id": prospect.pk,
                                                "subject": "首次电话"})  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lead_id"] == prospect.pk and body["lead_name"] == "钱先生"
    assert body["customer_id"] is None and body["customer_name"] == ""
    stored = Activity.objects.get(pk=body["id"])
    assert stored.lead_id == prospect.pk and stored.customer_id is None


@pytest.mark.parametrize("which", ["out of scope", "unknown"])
def test_a_lead_out_of_scope_or_unknown_is_refused_naming_lead_id_and_nothing_is_written(
    api_as, southern, which
):
    before = Activity.objects.count()
    lead_id = southern.pk if which == "out of scope" else 2**40
    response = post(api_as("account_manager"), {"kind": "call", "lead_id": lead_id,
                                                "subject": "回访"})  # fmt: skip
    assert response.status_code == 422
    assert fields_of(response) == ["lead_id"]
    assert Activity.objects.count() == before


def test_naming_both_a_customer_and_a_lead_is_refused_naming_lead_id(api_as, mine, prospect):
    both = {"kind": "call", "lead_id": prospect.pk, "customer_id": mine.pk, "subject": "回访"}
    response = post(api_as("account_manager"), both)
    assert response.status_code == 422
    assert fields_of(response) == ["lead_id"]
    assert not Activity.objects.exists()


def test_naming_neither_a_customer_nor_a_lead_is_refused_naming_both(api_as, staff):
    response = post(api_as("account_manager"), {"kind": "call", "subject": "回访"})
    assert response.status_code == 422
    assert sorted(fields_of(response)) == ["customer_id", "lead_id"]
    assert not Activity.objects.exists()


def test_an_opportunity_on_an_activity_about_a_lead_is_refused_naming_it(api_as, prospect):
    body = {"kind": "call", "lead_id": prospect.pk, "subject": "回访", "opportunity_id": 1}
    response = post(api_as("account_manager"), body)
    assert response.status_code == 422
    assert fields_of(response) == ["opportunity_id"]
    assert not Activity.objects.exists()


def test_logging_on_a_converted_lead_is_refused_pointing_to_its_customer(api_as, staff, prospect):
    convert(staff, prospect)
    response = api_as("account_manager").post(
        A, {"kind": "call", "lead_id": prospect.pk, "subject": "回访"},
        content_type="application/json", headers={"Accept-Language": "en"},
    )  # fmt: skip
    assert response.status_code == 422
    assert fields_of(response) == ["lead_id"]
    assert "log the activity on the customer" in response.json()["detail"][0]["message"]
    assert not Activity.objects.exists()


def test_the_database_refuses_an_activity_about_nobody(staff):
    with pytest.raises(IntegrityError):
        Activity.objects.create(kind="note", subject="?", owner=staff["admin"],
                                starts_at=timezone.now())  # fmt: skip


def test_a_call_on_a_new_lead_is_its_first_response_and_takes_it_off_my_day(api_as, prospect):
    client = api_as("account_manager")
    waiting = [line["lead_id"] for line in client.get("/api/v1/my-day").json()["leads"]]
    assert waiting == [prospect.pk]
    response = post(client, {"kind": "call", "lead_id": prospect.pk, "subject": "首次电话"})
    assert response.status_code == 201
    answered = Lead.objects.get(pk=prospect.pk)
    assert answered.first_response_at is not None
    assert answered.version == prospect.version + 1
    assert not client.get("/api/v1/my-day").json()["leads"]
    entry = AuditEntry.objects.filter(object_type="lead", object_id=str(prospect.pk)).latest("pk")
    assert entry.action == "update" and list(entry.changes) == ["first_response_at"]


def test_a_note_on_a_lead_is_no_first_response(prospect, log_on_lead):
    log_on_lead(prospect, kind="note", subject="备注")
    assert Lead.objects.get(pk=prospect.pk).first_response_at is None


def test_a_planned_call_answers_the_lead_when_it_is_done(api_as, prospect, log_on_lead):
    planned = log_on_lead(prospect, status="open")
    assert Lead.objects.get(pk=prospect.pk).first_response_at is None
    response = api_as("account_manager").post(
        f"{A}/{planned.pk}/complete", {"version": planned.version}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert Lead.objects.get(pk=prospect.pk).first_response_at is not None


def test_conversion_gives_the_leads_activities_to_the_customer(
    api_as, staff, prospect, log_on_lead
):
    called = log_on_lead(prospect, subject="首次电话")
    done = convert(staff, prospect)
    moved = Activity.objects.get(pk=called.pk)
    assert moved.customer_id == done.customer.pk and moved.lead_id == prospect.pk
    client = api_as("account_manager")
    listed = client.get(A, {"customer_id": done.customer.pk}).json()["results"]
    assert [a["id"] for a in listed] == [called.pk]
    timeline = client.get(f"/api/v1/customers/{done.customer.pk}").json()["timeline"]
    assert any("首次电话" in e["title"] for e in timeline if e["kind"] == "activity")
    entry = AuditEntry.objects.filter(object_type="lead", object_id=str(prospect.pk)).latest("pk")
    assert entry.changes["activities_to_customer"] == [None, 1]


def test_another_account_manager_cannot_read_an_activity_about_a_lead(
    api_as, prospect, log_on_lead
):
    called = log_on_lead(prospect)
    assert api_as("other_manager").get(f"{A}/{called.pk}").status_code == 404
    assert api_as("account_manager").get(f"{A}/{called.pk}").status_code == 200


def test_a_service_agent_sees_no_activity_about_a_lead(api_as, prospect, log_on_lead):
    called = log_on_lead(prospect)
    client = api_as("service_agent")
    assert client.get(f"{A}/{called.pk}").status_code == 404
    assert client.get(A).json()["results"] == []


def test_the_team_lead_lists_the_teams_customer_and_lead_activities_newest_first(
    api_as, mine, prospect, log, log_on_lead
):
    earlier = log(mine, starts_at=timezone.now() - timezone.timedelta(hours=2))
    later = log_on_lead(prospect)
    listed = api_as("team_lead").get(A).json()["results"]
    assert [a["id"] for a in listed] == [later.pk, earlier.pk]


def test_the_lead_page_lists_its_activities_and_logs_one(staff, prospect, log_on_lead):
    log_on_lead(prospect, subject="首次电话")
    client = Client()
    client.force_login(staff["account_manager"])
    page = client.get(reverse("leads:detail", args=[prospect.pk])).content.decode()
    assert "首次电话" in page and 'id="log-activity"' in page
    form_url = f"{reverse('activities:log')}?lead={prospect.pk}"
    form = client.get(form_url).content.decode()
    assert 'name="opportunity"' not in form
    response = client.post(form_url, {"lead": prospect.pk, "kind": "visit", "subject": "上门拜访",
                                      "status": "done"})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == reverse("leads:detail", args=[prospect.pk])
    assert Activity.objects.get(subject="上门拜访").lead_id == prospect.pk


def test_the_lead_page_takes_the_same_queries_for_more_activities(staff, prospect, log_on_lead):
    client = Client()
    client.force_login(staff["account_manager"])
    url = reverse("leads:detail", args=[prospect.pk])
    log_on_lead(prospect)

    def queries() -> int:
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for n in range(8):
        log_on_lead(prospect, subject=f"电话{n}")
    assert queries() == few


def test_the_activity_page_of_an_activity_about_a_lead_links_the_lead(staff, prospect, log_on_lead):
    called = log_on_lead(prospect)
    client = Client()
    client.force_login(staff["account_manager"])
    response = client.get(reverse("activities:detail", args=[called.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="activity-lead"' in page and reverse("leads:detail", args=[prospect.pk]) in page
    assert 'name="opportunity"' not in page


def test_my_day_names_the_lead_of_a_planned_call(client, staff, prospect, log_on_lead):
    log_on_lead(prospect, status="open", subject="约见面")
    client.force_login(staff["account_manager"])
    page = client.get(reverse("activities:my_day")).content.decode()
    assert "约见面" in page and reverse("leads:detail", args=[prospect.pk]) in page


def test_the_activity_list_page_shows_an_activity_about_a_lead_with_its_lead(
    client, staff, mine, prospect, log, log_on_lead
):
    log(mine, subject="客户回访")
    log_on_lead(prospect, subject="首次电话")
    client.force_login(staff["account_manager"])
    page = client.get(reverse("activities:list")).content.decode()
    assert "客户回访" in page and "首次电话" in page
    assert reverse("leads:detail", args=[prospect.pk]) in page


def test_a_converted_leads_page_offers_no_logging_but_lists_its_activities(
    client, staff, prospect, log_on_lead
):
    log_on_lead(prospect, subject="首次电话")
    convert(staff, prospect)
    client.force_login(staff["account_manager"])
    page = client.get(reverse("leads:detail", args=[prospect.pk])).content.decode()
    assert "首次电话" in page and 'id="log-activity"' not in page
