"""Activities worked on an opportunity: linked through the API and the pages, checked
against the activity's customer and the viewer's scope, listed on the opportunity's page."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from guanxi import policy
from guanxi.activities.models import Activity
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import RequestContext
from guanxi.sales import services as sales
from guanxi.sales.defaults import ensure_default_pipeline
from guanxi.sales.inputs import OpportunityFields
from guanxi.sales.models import Pipeline, Stage

A = "/api/v1/activities"


@pytest.fixture
def open_opportunity(staff, db):
    """Open an opportunity on a customer, owned by the customer's account manager."""
    ensure_default_pipeline(Pipeline, Stage)

    def make(customer, name="大额存单"):
        fields = {"name": name, "customer_id": customer.pk, "amount": Decimal("300000"),
                  "owner_id": customer.owner_id}  # fmt: skip
        return sales.opportunity_create(
            viewer=policy.Viewer.of(staff["admin"]),
            fields=OpportunityFields.from_mapping(fields),
            context=RequestContext(channel="test"),
        )

    return make


def post(client, body):
    return client.post(A, body, content_type="application/json")


def test_a_call_logged_on_an_opportunity_is_listed_by_it(api_as, mine, open_opportunity):
    deal = open_opportunity(mine)
    client = api_as("account_manager")
    response = post(client, {"kind": "call", "customer_id": mine.pk, "subject": "方案回访",
                             "opportunity_id": deal.pk})  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["opportunity_id"] == deal.pk
    listed = client.get(A, {"opportunity_id": deal.pk}).json()["results"]
    assert [a["id"] for a in listed] == [response.json()["id"]]


def test_an_opportunity_of_another_customer_is_refused_naming_it(
    api_as, mine, make_customer, open_opportunity
):
    elsewhere = open_opportunity(make_customer("李客户"))
    response = post(api_as("account_manager"), {"kind": "call", "customer_id": mine.pk,
                    "subject": "回访", "opportunity_id": elsewhere.pk})  # fmt: skip
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["detail"]] == ["opportunity_id"]
    assert not Activity.objects.exists()


def test_an_opportunity_out_of_scope_reads_as_missing(api_as, mine, theirs, open_opportunity):
    # The south branch's opportunity: the account manager may not even learn it exists.
    hidden = open_opportunity(theirs)
    client = api_as("account_manager")
    answers = [
        post(
            client,
            {
                "kind": "call",
                "customer_id": mine.pk,
                "subject": "回访",
                "opportunity_id": opportunity_id,
            },
        )  # fmt: skip
        for opportunity_id in (hidden.pk, 2**40)  # theirs, and one that does not exist
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()
    assert not Activity.objects.exists()


def test_an_activity_is_unlinked_from_its_opportunity_with_an_audited_change(
    api_as, mine, open_opportunity, log
):
    deal = open_opportunity(mine)
    activity = log(mine, opportunity_id=deal.pk)
    response = api_as("account_manager").patch(
        f"{A}/{activity.pk}",
        {"version": activity.version, "opportunity_id": None},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Activity.objects.get(pk=activity.pk).opportunity_id is None
    entry = AuditEntry.objects.filter(object_type="activity", action="update").get()
    assert entry.changes["opportunity_id"] == [deal.pk, None]


def test_the_opportunity_page_lists_its_activities_and_logs_one_preselected(
    staff, mine, open_opportunity, log
):
    deal = open_opportunity(mine)
    log(mine, opportunity_id=deal.pk, subject="递交方案")
    log(mine, subject="生日问候")  # the customer's, not the opportunity's
    client = Client()
    client.force_login(staff["account_manager"])
    page = client.get(reverse("sales:detail", args=[deal.pk])).content.decode()
    assert "递交方案" in page and "生日问候" not in page
    form_url = f"{reverse('activities:log')}?customer={mine.pk}&opportunity={deal.pk}"
    form = client.get(form_url).content.decode()
    assert f'<option value="{deal.pk}" selected>' in form
    response = client.post(form_url, {"customer": mine.pk, "kind": "visit", "subject": "上门",
                                      "status": "done", "opportunity": deal.pk})  # fmt: skip
    assert response.status_code == 302
    assert Activity.objects.get(subject="上门").opportunity_id == deal.pk
