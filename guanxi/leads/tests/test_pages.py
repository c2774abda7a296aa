"""The lead pages: list, detail, capture, status, assignment, conversion, navigation."""

from django.urls import reverse

from guanxi.conftest import resident_id
from guanxi.customers.models import Customer
from guanxi.leads.models import Lead, LeadStatus
from guanxi.sales.models import Opportunity


def logged_in(client, staff, role="account_manager"):
    client.force_login(staff[role])
    return client


def test_the_list_shows_the_viewers_leads_with_a_count(client, staff, make_lead):
    make_lead("王小明")
    make_lead("另一个", by="other_manager")
    page = logged_in(client, staff).get("/leads/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "王小明" in page and "另一个" not in page
    assert "1 lead" in page


def test_the_list_filters_by_source(client, staff, make_lead):
    make_lead("走进来的")
    make_lead("打电话的", source="phone")
    page = logged_in(client, staff).get("/leads/?source=phone").content.decode()
    assert "打电话的" in page and "走进来的" not in page


def test_a_marketer_searching_by_id_number_is_told_they_may_not(client, staff, make_lead):
    response = logged_in(client, staff, "marketer").get(f"/leads/?q={resident_id()}")
    assert response.status_code == 200
    assert 'id="search-error"' in response.content.decode()


def test_the_detail_shows_the_score_reasons_translated(client, staff, make_lead):
    lead = make_lead()
    page = logged_in(client, staff).get(f"/leads/{lead.pk}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "亲自到访网点" in page.content.decode()


def test_a_lead_out_of_scope_is_not_found(client, staff, make_lead):
    lead = make_lead(by="other_manager")
    assert logged_in(client, staff).get(f"/leads/{lead.pk}/").status_code == 404


def test_a_lead_is_captured_from_the_form(client, staff):
    response = logged_in(client, staff).post(
        "/leads/new/", {"name": "刘备", "source": "phone", "phone": "13700001234"}
    )
    lead = Lead.objects.get()
    assert response.url == reverse("leads:detail", args=[lead.pk])
    assert lead.owner_id == staff["account_manager"].pk


def test_converting_from_the_page_opens_the_opportunity(client, staff, make_lead, pipeline):
    lead = make_lead()
    response = logged_in(client, staff).post(
        f"/leads/{lead.pk}/convert/",
        {"with_opportunity": "on", "opportunity_name": "理财", "amount": "1000", "version": 1},
    )
    opportunity = Opportunity.objects.get()
    assert response.url == reverse("sales:detail", args=[opportunity.pk])
    assert Lead.objects.get().status == LeadStatus.CONVERTED


def test_a_stale_conversion_from_the_page_changes_nothing(client, staff, make_lead):
    lead = make_lead()
    response = logged_in(client, staff).post(f"/leads/{lead.pk}/convert/", {"version": 5})
    assert response.status_code == 409
    assert not Customer.objects.exists()


def test_marking_a_lead_contacted_from_my_day_returns_there(client, staff, make_lead):
    lead = make_lead()
    client = logged_in(client, staff)
    assert "waiting-leads" in client.get("/activities/my-day/").content.decode()
    response = client.post(
        f"/leads/{lead.pk}/status/", {"status": "contacted", "version": 1, "next": "my_day"}
    )
    assert response.url == reverse("activities:my_day")
    assert Lead.objects.get().first_response_at is not None


def test_the_leads_entry_is_in_the_navigation_for_those_who_see_leads(client, staff):
    assert 'href="/leads/"' in logged_in(client, staff).get("/activities/").content.decode()
    client.logout()
    assert 'href="/leads/"' not in logged_in(client, staff, "analyst").get("/").content.decode()


def test_a_team_lead_reassigns_from_the_page_and_the_history_shows_it(client, staff, make_lead):
    lead = make_lead()
    response = logged_in(client, staff, "team_lead").post(
        f"/leads/{lead.pk}/assign/", {"owner_id": staff["team_lead"].pk, "version": 1}
    )
    assert response.url == reverse("leads:detail", args=[lead.pk])
    page = client.get(response.url).content.decode()
    assert "陈组长" in page and Lead.objects.get().owner_id == staff["team_lead"].pk
