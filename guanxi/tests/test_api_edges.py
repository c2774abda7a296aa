"""The API answers JSON with a message per field at its edges too: unknown paths, bodies too
large or not UTF-8, missing credentials, lock-outs, and races on unique names."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from guanxi.conftest import PASSWORD
from guanxi.customers.models import Customer, CustomerGroup, Product
from guanxi.service.models import CaseCategory, RootCause, WorkingCalendar


def post(client, url, body, content_type="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.post(url, data, content_type=content_type)


def test_an_unknown_api_path_is_a_json_404(api_as):
    response = api_as("admin").get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_a_malformed_id_in_an_api_path_is_a_json_404(api_as):
    response = api_as("admin").get("/api/v1/customers/12abc")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_an_api_call_without_credentials_is_a_401_even_when_it_writes(org):
    response = post(Client(), "/api/v1/customers", {"name": "王二", "branch_id": org["north"].pk})
    assert response.status_code == 401
    assert response.json()["detail"]
    assert not Customer.objects.exists()


def test_a_session_api_write_without_csrf_token_is_a_json_403_naming_the_token(client, staff, org):
    client.force_login(staff["admin"])
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(staff["admin"])
    response = post(
        csrf_client, "/api/v1/customers", {"name": "王二", "branch_id": org["north"].pk}
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert not Customer.objects.exists()


def test_a_body_too_large_is_a_json_413(api_as, org, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"name": "王二", "branch_id": org["north"].pk, "address": "长" * 2000}
    response = post(api_as("admin"), "/api/v1/customers", body)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-16", "text/plain", "application/x-json"]
)
def test_a_nul_character_is_refused_whatever_the_content_type(content_type, api_as, org):
    body = {"name": "王\x00二", "branch_id": org["north"].pk}
    # The test client encodes text in the charset the content type names.
    text = json.dumps(body, ensure_ascii=False)
    response = api_as("admin").post("/api/v1/customers", text, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    assert not Customer.objects.exists()


def test_locked_out_api_login_is_a_json_429(staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    wrong = {"username": "am", "password": "wrong"}
    for _attempt in range(2):
        post(client, "/api/v1/auth/token", wrong)
    locked = post(client, "/api/v1/auth/token", {"username": "am", "password": PASSWORD})
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("application/json")


def test_one_person_guessing_passwords_does_not_lock_out_colleagues_at_the_same_address(
    staff, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    for _attempt in range(3):
        post(client, "/api/v1/auth/token", {"username": "am", "password": "wrong"})
    colleague = post(client, "/api/v1/auth/token", {"username": "bm", "password": PASSWORD})
    assert colleague.status_code == 201


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("url", "body", "model"),
    [
        ("/api/v1/customers/groups", {"name": "重点客户", "kind": "static"}, CustomerGroup),
        ("/api/v1/customers/products", {"code": "D9", "name": "存款", "kind": "deposit"}, Product),
        (
            "/api/v1/calendars",
            {"name": "客服中心", "periods": [{"weekday": 0, "start": "09:00", "end": "17:00"}]},
            WorkingCalendar,
        ),
        ("/api/v1/case-categories", {"code": "FEES", "name": "收费"}, CaseCategory),
        ("/api/v1/root-causes", {"code": "STAFF", "name": "服务态度"}, RootCause),
    ],
)
def test_two_requests_creating_the_same_name_at_once_give_one_201_and_one_409(
    url, body, model, api_as, monkeypatch
):
    client = api_as("admin")
    # Both requests pass the "name free?" check before either inserts: the race as it happens.
    barrier = threading.Barrier(2, timeout=10)
    original = model.objects.filter

    def filter_then_wait(*args, **kwargs):
        found = original(*args, **kwargs)
        if kwargs.keys() & {"name", "code"}:
            exists = found.exists()
            barrier.wait()
            return model.objects.none() if not exists else found
        return found

    monkeypatch.setattr(model.objects, "filter", filter_then_wait)
    statuses = []

    def create():
        statuses.append(post(client, url, body).status_code)
        connection.close()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 409]
    assert model.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/customers/99999999999999999999999/",
        "/customers/99999999999999999999999/edit/",
        "/customers/?page=100000000000000000000",
        "/customers/?owner_id=99999999999999999999999",
        "/audit/?since=0001-01-01",
        "/audit/?until=9999-12-31",
        "/api/v1/customers/99999999999999999999999",
        "/api/v1/customers?page=100000000000000000000",
        "/api/v1/audit?since=0001-01-01T00:00:00%2B08:00",
        "/api/v1/calendars/99999999999999999999999",
        "/api/v1/sla-policies/99999999999999999999999",
        "/api/v1/cases/99999999999999999999999",
        "/api/v1/cases?page=100000000000000000000",
        "/api/v1/cases?queue_id=99999999999999999999999",
        "/api/v1/cases?sla_status=late",
        "/api/v1/cases?page_size=100000",
    ],
)
def test_out_of_range_values_in_urls_are_client_errors(url, client, staff, api_as):
    client.force_login(staff["admin"])
    response = (api_as("admin") if url.startswith("/api/") else client).get(url)
    assert 200 <= response.status_code < 500
    assert response.status_code != 200 or url.startswith("/customers/?") or "audit" in url
