"""The personal iCalendar feed: secret URL, regenerate, revoke, and what it shows."""

import icalendar

from guanxi.audit.models import AuditEntry
from guanxi.scheduling.models import CalendarFeed

F = "/api/v1/calendar/feed-url"


def feed_url(client) -> str:
    response = client.get(F)
    assert response.status_code == 200, response.content
    return response.json()["url"]


def path_of(url: str) -> str:
    return url.split("testserver", 1)[1]


def test_the_feed_url_is_issued_once_and_stays_the_same(api_as):
    client = api_as("account_manager")
    first = feed_url(client)
    assert first.endswith(".ics") and feed_url(client) == first
    assert AuditEntry.objects.filter(object_type="calendar_feed", action="create").count() == 1


def test_the_feed_parses_and_carries_the_meeting(api_as, client, mine, schedule):
    meeting = schedule(mine)
    response = client.get(path_of(feed_url(api_as("account_manager"))))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"activity-{meeting.pk}@guanxi"
    assert "季度面谈" in str(event["summary"]) and "王客户" in str(event["summary"])
    assert event.decoded("dtstart") == meeting.starts_at


def test_the_feed_carries_no_contact_details(api_as, client, mine, schedule):
    schedule(mine)
    body = client.get(path_of(feed_url(api_as("account_manager")))).content.decode()
    assert "13812345678" not in body and mine.id_number not in body
    assert "zhangsan@example.com" not in body


def test_the_feed_masks_what_the_user_may_not_read(api_as, client, mine, staff, schedule):
    schedule(mine, participant_ids=[staff["south_manager"].pk])
    response = client.get(path_of(feed_url(api_as("south_manager"))))
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert "王客户" not in str(event["summary"]) and "季度面谈" not in str(event["summary"])


def test_a_feed_fetch_is_audited_as_a_read(api_as, client, mine, schedule):
    schedule(mine)
    client.get(path_of(feed_url(api_as("account_manager"))))
    assert AuditEntry.objects.filter(action="read", channel="feed").exists()


def test_regenerating_ends_the_old_url(api_as, client):
    api = api_as("account_manager")
    old = feed_url(api)
    new = api.post(f"{F}/regenerate").json()["url"]
    assert new != old
    assert client.get(path_of(old)).status_code == 404
    assert client.get(path_of(new)).status_code == 200


def test_revoking_ends_the_url_until_regenerated(api_as, client):
    api = api_as("account_manager")
    old = feed_url(api)
    assert api.delete(F).status_code == 204
    assert client.get(path_of(old)).status_code == 404
    assert api.get(F).json() == {"url": None, "active": False}
    assert AuditEntry.objects.filter(object_type="calendar_feed", action="delete").exists()


def test_a_guessed_token_of_a_real_key_is_refused(api_as, client):
    url = feed_url(api_as("account_manager"))
    key = CalendarFeed.objects.get().key
    forged = path_of(url).replace(path_of(url)[-68:-4], "0" * 64)
    assert key in forged
    assert client.get(forged).status_code == 404


def test_the_feed_of_a_deactivated_user_is_gone(api_as, client, staff):
    url = feed_url(api_as("account_manager"))
    staff["account_manager"].is_active = False
    staff["account_manager"].save(update_fields=["is_active"])
    assert client.get(path_of(url)).status_code == 404
