"""What every response tells the browser: its content policy, caching, the session's life."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from guanxi.middleware import SlidingSessionExpiry
from guanxi.web.tests.support import client_for

PERSONAL_PAGES = ["customers:list", "audit:log", "analytics:list"]


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_pages_get_a_content_security_policy_without_inline_code(client, db):
    policy = _csp(client.get(reverse("web:login")))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in " ".join(policy.values())


@pytest.mark.parametrize("page", PERSONAL_PAGES)
def test_pages_with_personal_data_may_not_be_stored_by_a_cache(staff, page):
    response = client_for(staff["admin"]).get(reverse(page))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_the_customer_360_page_may_not_be_stored(staff, make_customer):
    customer = make_customer()
    response = client_for(staff["admin"]).get(reverse("customers:detail", args=[customer.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_api_answers_may_not_be_stored(api_as, make_customer):
    make_customer()
    response = api_as("admin").get("/api/v1/customers")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(client, db):
    response = client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response["Cache-Control"]


def _expiry(client: Client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_used_session_is_renewed_at_most_once_a_minute(staff, monkeypatch):
    client = client_for(staff["admin"])
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start)
    client.get(reverse("customers:list"))
    first = _expiry(client)
    client.get(reverse("customers:list"))
    assert _expiry(client) == first  # within the minute: no write
    monkeypatch.setattr(time, "time", lambda: start + SlidingSessionExpiry.RENEW_AFTER_SECONDS)
    client.get(reverse("customers:list"))
    assert _expiry(client) > first


def test_a_renewed_session_lives_the_idle_time_out_from_its_last_request(staff, settings):
    client = client_for(staff["admin"])
    client.get(reverse("customers:list"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE == 30 * 60


def test_an_idle_session_is_logged_out(staff):
    client = client_for(staff["admin"])
    assert client.get(reverse("customers:list")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date="2000-01-01T00:00:00Z"
    )
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_the_api_docs_need_a_login(client, db):
    for url in ("/api/v1/docs", "/api/v1/openapi.json"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))


def test_the_api_schema_is_served_to_a_bearer_token(api_as):
    response = api_as("analyst").get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.json()["info"]["title"] == "Guanxi CRM API"


def test_the_api_docs_load_nothing_from_another_host(staff):
    response = client_for(staff["analyst"]).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert not [a for a in assets if re.match(r"(https?:)?//", a)]
    assert "<style" not in html and "<script>" not in html  # nothing the policy would block
