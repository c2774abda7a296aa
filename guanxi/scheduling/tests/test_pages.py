"""The calendar pages: day, week and month views, scheduling with the override, the feed
settings; and a fixed number of queries however full the calendar is."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.activities.models import Activity
from guanxi.audit.models import AuditEntry
from guanxi.scheduling.models import CalendarFeed
from guanxi.scheduling.tests.conftest import at


def logged_in(staff, role: str = "account_manager") -> Client:
    client = Client()
    client.force_login(staff[role])
    return client


@pytest.mark.parametrize("view", ["day", "week", "month"])
def test_each_view_shows_the_meeting(staff, mine, schedule, view):
    schedule(mine)
    page = logged_in(staff).get("/calendar/", {"view": view, "date": at().date().isoformat()})
    assert page.status_code == 200
    assert "季度面谈" in page.content.decode()


def test_the_calendar_is_in_english_too(staff, mine, schedule):
    schedule(mine)
    page = logged_in(staff).get("/calendar/", headers={"accept-language": "en"})
    assert "Schedule a meeting" in page.content.decode()


def test_an_htmx_request_gets_only_the_calendar(staff):
    page = logged_in(staff).get("/calendar/", {"view": "month"}, headers={"HX-Request": "true"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="calendar"' in text and "<html" not in text


def test_another_managers_calendar_is_not_found(staff):
    page = logged_in(staff).get("/calendar/", {"user": staff["other_manager"].pk})
    assert page.status_code == 404


def test_the_calendar_is_in_the_navigation(staff):
    page = logged_in(staff).get("/calendar/")
    assert 'href="/calendar/"' in page.content.decode()


def _form(customer, **extra) -> dict:
    start = at(hour=10, minute=30)
    return {"kind": "meeting", "customer": customer.pk, "subject": "方案讨论",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "remind_minutes": 15, **extra}  # fmt: skip


def test_a_clash_is_shown_with_the_choice_to_book_anyway(staff, mine, schedule):
    schedule(mine, role="team_lead")
    client = logged_in(staff)
    page = client.post("/calendar/schedule/", _form(mine, participants=[staff["team_lead"].pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="conflict"' in text and 'name="override_conflicts"' in text
    assert Activity.objects.count() == 1


def test_booking_anyway_schedules_it_and_returns_to_the_day(staff, mine, schedule):
    schedule(mine, role="team_lead")
    page = logged_in(staff).post(
        "/calendar/schedule/",
        _form(mine, participants=[staff["team_lead"].pk], override_conflicts="on"),
    )
    assert page.status_code == 302 and "view=day" in page["Location"]
    assert Activity.objects.count() == 2


def test_the_busy_partial_shows_a_colleagues_busy_time(staff, mine, schedule):
    schedule(mine, role="team_lead", subject="机密面谈")
    page = logged_in(staff).get(
        "/calendar/busy/",
        {"participants": staff["team_lead"].pk, "starts_at": at().strftime("%Y-%m-%dT%H:%M")},
    )
    text = page.content.decode()
    assert "陈组长" in text and "10:00" in text and "机密面谈" not in text


def test_the_feed_address_is_regenerated_and_revoked_from_the_page(staff):
    client = logged_in(staff)
    client.post("/calendar/feed-url/regenerate/")
    assert CalendarFeed.objects.get().key
    assert ".ics" in client.get("/calendar/").content.decode()
    client.post("/calendar/feed-url/revoke/")
    assert CalendarFeed.objects.get().key is None
    assert AuditEntry.objects.filter(object_type="calendar_feed", channel="web").count() == 2


def queries_of(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_week_view_takes_the_same_queries_for_more_meetings(staff, make_customer, schedule):
    client = logged_in(staff)
    url = f"/calendar/?view=week&date={at().date().isoformat()}"

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            begins = at(hour=8) + timedelta(minutes=30 * n)
            schedule(make_customer(f"客户{n}"), starts_at=begins, ends_at=begins,
                     participant_ids=[staff["team_lead"].pk], override=True)  # fmt: skip

    add(2, 0)
    few = queries_of(client, url)
    add(6, 2)
    assert queries_of(client, url) == few


def test_the_calendar_api_takes_the_same_queries_for_more_meetings(
    staff, make_customer, schedule, api_as
):
    reader = api_as("team_lead")
    start, end = timezone.localdate(), timezone.localdate() + timedelta(days=7)
    url = f"/api/v1/calendar?start={start}T00:00Z&end={end}T00:00Z&team=true"
    schedule(make_customer("客户A"))
    schedule(make_customer("客户B"), starts_at=at(3), ends_at=at(3))
    few = queries_of(reader, url)
    for n in range(5):
        schedule(make_customer(f"客户{n}"), starts_at=at(2, 8 + n), ends_at=at(2, 8 + n))
    assert queries_of(reader, url) == few
