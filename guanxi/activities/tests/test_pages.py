"""Activity pages: the list, one activity with its edit form, the log form, contact rules."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from guanxi.activities.models import Activity, Attachment, ContactRule


def logged_in(staff, role: str) -> Client:
    client = Client()
    client.force_login(staff[role])
    return client


def test_the_list_shows_the_viewers_activities_only(staff, mine, theirs, log):
    log(mine, subject="我的电话")
    log(theirs, role="admin", subject="南方电话")
    page = logged_in(staff, "account_manager").get("/activities/").content.decode()
    assert "我的电话" in page and "南方电话" not in page


def test_the_list_filters_by_kind(staff, mine, log):
    log(mine, subject="电话一")
    log(mine, kind="visit", subject="拜访一")
    page = logged_in(staff, "account_manager").get("/activities/?kind=visit").content.decode()
    assert "拜访一" in page and "电话一" not in page


def test_the_list_is_in_english_too(staff, mine, log):
    log(mine, subject="电话一")
    client = logged_in(staff, "account_manager")
    client.cookies["django_language"] = "en"
    page = client.get("/activities/").content.decode()
    assert "Activities" in page and "Logged by" in page


def test_the_detail_page_saves_an_edit_with_the_version_read(staff, mine, log):
    activity = log(mine, subject="电话一")
    client = logged_in(staff, "account_manager")
    local = timezone.localtime(activity.starts_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/activities/{activity.pk}/", {
        "version": 1, "kind": "call", "subject": "电话一", "status": "done",
        "starts_at": local, "outcome": "约了下周面谈",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Activity.objects.get(pk=activity.pk).outcome == "约了下周面谈"


def test_an_edit_that_ends_before_it_starts_shows_the_error_on_ends_at(staff, mine, log):
    activity = log(mine, subject="电话一")
    client = logged_in(staff, "account_manager")
    start = timezone.localtime(activity.starts_at)
    response = client.post(f"/activities/{activity.pk}/", {
        "version": 1, "kind": "call", "subject": "电话一", "status": "done",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    })  # fmt: skip
    assert response.status_code == 200
    assert "id_ends_at-errors" in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).version == 1


def test_the_detail_page_offers_only_the_statuses_the_workflow_allows(staff, mine, log):
    done = log(mine, subject="电话一")
    page = logged_in(staff, "account_manager").get(f"/activities/{done.pk}/").content.decode()
    assert 'value="cancelled"' not in page and 'value="open"' not in page


def test_a_file_is_attached_from_the_detail_page_and_downloaded(staff, mine, log):
    activity = log(mine)
    client = logged_in(staff, "account_manager")
    upload = SimpleUploadedFile("纪要.txt", "会谈纪要".encode(), content_type="text/plain")
    client.post(f"/activities/{activity.pk}/attachments/", {"file": upload})
    stored = Attachment.objects.get()
    response = client.get(f"/activities/{activity.pk}/attachments/{stored.pk}/")
    assert b"".join(response.streaming_content).decode() == "会谈纪要"


def test_a_forbidden_file_is_refused_on_the_page_and_nothing_stored(staff, mine, log):
    activity = log(mine)
    client = logged_in(staff, "account_manager")
    upload = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(f"/activities/{activity.pk}/attachments/", {"file": upload}, follow=True)
    assert not Attachment.objects.exists()
    assert "alert-danger" in response.content.decode()


def test_the_log_page_logs_a_planned_meeting(staff, mine):
    client = logged_in(staff, "account_manager")
    start = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/activities/new/", {
        "customer": mine.pk, "kind": "meeting", "subject": "方案讲解", "status": "open",
        "starts_at": start,
    })  # fmt: skip
    assert response.status_code == 302
    assert Activity.objects.get().status == "open"


def test_an_administrator_changes_a_contact_rule_on_its_page(staff):
    client = logged_in(staff, "admin")
    response = client.post("/activities/contact-rules/", {
        "value_tier": "platinum", "every_days": 14, "kind": "visit", "version": 0,
    })  # fmt: skip
    assert response.status_code == 302
    assert ContactRule.objects.get(value_tier="platinum").every_days == 14


def test_a_branch_manager_reads_the_rules_but_may_not_change_them(staff):
    client = logged_in(staff, "branch_manager")
    assert client.get("/activities/contact-rules/").status_code == 200
    response = client.post("/activities/contact-rules/", {
        "value_tier": "platinum", "every_days": 14, "kind": "visit", "version": 0,
    })  # fmt: skip
    assert response.status_code == 403
    assert not ContactRule.objects.exists()


def test_the_contact_rules_api_sets_a_rule_with_its_version(api_as):
    client = api_as("admin")
    url = "/api/v1/activities/contact-rules/gold"
    first = client.put(url, {"every_days": 20, "kind": "call"}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 1
    stale = client.put(url, {"every_days": 10, "kind": "call", "version": 0},
                       content_type="application/json")  # fmt: skip
    assert stale.status_code == 409
    bad = client.put("/api/v1/activities/contact-rules/diamond", {"every_days": 20, "kind": "call"},
                     content_type="application/json")  # fmt: skip
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "value_tier"
    assert ContactRule.objects.get().every_days == 20


def test_log_the_call_from_my_day_opens_the_one_step_form_and_returns_to_the_360(staff, mine):
    client = logged_in(staff, "account_manager")
    page = client.get(f"/activities/new/?customer={mine.pk}&quick=1").content.decode()
    assert 'id="log-activity-form"' in page
    response = client.post("/activities/new/", {
        "customer": mine.pk, "quick": "1", "kind": "call", "subject": "生日问候",
    })  # fmt: skip
    assert response.status_code == 302 and response.url == f"/customers/{mine.pk}/"
    assert Activity.objects.get().subject == "生日问候"
