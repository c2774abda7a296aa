"""Activities on the customer 360: the timeline source and the one-step "log a call" panel."""

from guanxi.activities.models import Activity
from guanxi.customers.timeline import TIMELINE_LIMIT


def test_a_logged_call_appears_on_the_customers_timeline(api_as, mine, log):
    log(mine, subject="季度回访", outcome="客户满意")
    timeline = api_as("account_manager").get(f"/api/v1/customers/{mine.pk}").json()["timeline"]
    activity = [e for e in timeline if e["kind"] == "activity"]
    assert len(activity) == 1
    assert "季度回访" in activity[0]["title"] and activity[0]["detail"] == "客户满意"


def test_a_marketer_sees_the_customer_but_not_its_activities(api_as, mine, log):
    log(mine, subject="季度回访")
    response = api_as("marketer").get(f"/api/v1/customers/{mine.pk}")
    assert response.status_code == 200
    assert not [e for e in response.json()["timeline"] if e["kind"] == "activity"]


def test_the_timeline_takes_no_more_than_its_limit_of_activities(api_as, mine, log):
    for n in range(TIMELINE_LIMIT + 3):
        log(mine, subject=f"电话{n}")
    timeline = api_as("account_manager").get(f"/api/v1/customers/{mine.pk}").json()["timeline"]
    assert len(timeline) <= TIMELINE_LIMIT


def test_the_360_page_offers_the_log_panel_to_an_account_manager(client, staff, mine):
    client.force_login(staff["account_manager"])
    page = client.get(f"/customers/{mine.pk}/").content.decode()
    assert 'id="log-activity-form"' in page


def test_the_360_page_offers_no_log_panel_to_a_marketer(client, staff, mine):
    client.force_login(staff["marketer"])
    page = client.get(f"/customers/{mine.pk}/").content.decode()
    assert 'id="log-activity-form"' not in page


def test_logging_from_the_360_panel_by_htmx_returns_to_the_360(client, staff, mine):
    client.force_login(staff["account_manager"])
    response = client.post(
        "/activities/new/",
        {
            "customer": mine.pk,
            "quick": "1",
            "kind": "visit",
            "subject": "上门拜访",
            "outcome": "签约意向",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/customers/{mine.pk}/"
    visit = Activity.objects.get()
    assert (visit.kind, visit.status, visit.outcome) == ("visit", "done", "签约意向")


def test_a_quick_log_without_a_subject_shows_the_form_again_naming_it(client, staff, mine):
    client.force_login(staff["account_manager"])
    response = client.post(
        "/activities/new/",
        {"customer": mine.pk, "quick": "1", "kind": "call", "subject": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "id_subject-errors" in response.content.decode()
    assert not Activity.objects.exists()


def test_logging_for_a_customer_out_of_scope_is_a_404(client, staff, theirs):
    client.force_login(staff["account_manager"])
    response = client.post("/activities/new/", {"customer": theirs.pk, "kind": "call",
                                                "subject": "x", "status": "done"})  # fmt: skip
    assert response.status_code == 404
    assert not Activity.objects.exists()
