"""Bearer tokens: remembered for a few seconds per process, revoked at once where revoked."""

import pytest
from django.core.management import call_command
from django.test import Client

from guanxi.org import authentication
from guanxi.org.models import ApiToken

ME = "/api/v1/org/me"


@pytest.fixture
def issued(staff):
    token, raw = ApiToken.issue(staff["analyst"])
    return token, Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def clock(monkeypatch):
    """A monotonic clock the test moves by hand."""
    now = [1000.0]
    monkeypatch.setattr(authentication, "monotonic", lambda: now[0])
    return now


def test_revoking_through_the_api_logs_the_client_out(issued):
    _token, client = issued
    assert client.get(ME).status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get(ME).status_code == 401


def test_revoking_without_a_bearer_token_names_the_header(staff):
    client = Client()
    client.force_login(staff["analyst"])
    response = client.delete("/api/v1/auth/token")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "Authorization"


def test_revocation_by_another_process_takes_effect_within_the_cache_time(issued, clock, settings):
    settings.GUANXI_TOKEN_CACHE_SECONDS = 5
    token, client = issued
    assert client.get(ME).status_code == 200
    # Another process revokes: this process gets no signal and still trusts its memory ...
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    clock[0] += 4
    assert client.get(ME).status_code == 200
    # ... until the cache time has passed.
    clock[0] += 2
    assert client.get(ME).status_code == 401


def test_without_a_cache_time_every_call_looks_the_token_up(issued, settings):
    settings.GUANXI_TOKEN_CACHE_SECONDS = 0
    token, client = issued
    assert client.get(ME).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert client.get(ME).status_code == 401


def test_deactivating_a_user_or_changing_roles_applies_at_once(issued, staff):
    _token, client = issued
    assert client.get(ME).json()["roles"] == ["analyst"]
    profile = staff["analyst"].profile
    profile.roles = ["marketer"]
    profile.save()
    assert client.get(ME).json()["roles"] == ["marketer"]
    user = staff["analyst"]
    user.is_active = False
    user.save()
    assert client.get(ME).status_code == 401


def test_revoke_tokens_command_revokes_every_token_of_the_user(issued, staff, capsys):
    _token, client = issued
    ApiToken.issue(staff["analyst"], name="second")
    assert client.get(ME).status_code == 200
    call_command("revoke_tokens", "analyst")
    assert "2" in capsys.readouterr().out
    assert client.get(ME).status_code == 401
    assert not ApiToken.objects.filter(user=staff["analyst"], revoked=False).exists()
