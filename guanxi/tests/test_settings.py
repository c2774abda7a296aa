"""Settings read from the environment: the database URL and the production mode."""

import os
import runpy
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from guanxi.settings.database import database_from_url

POSTGRES = "postgres://guanxi@db.example:5432/guanxi"
ROOT = Path(__file__).resolve().parents[2]
SECRET = "k" * 20 + "-production-secret-for-tests-0123456789"


def test_postgresql_binds_on_the_server_and_prepares_repeated_statements(monkeypatch, tmp_path):
    monkeypatch.delenv("GUANXI_PG_PREPARED_STATEMENTS", raising=False)
    options = database_from_url(POSTGRES, tmp_path)["OPTIONS"]
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 5


def test_postgresql_connections_compile_no_queries_just_in_time(monkeypatch, tmp_path):
    monkeypatch.delenv("GUANXI_PG_PREPARED_STATEMENTS", raising=False)
    assert database_from_url(POSTGRES, tmp_path)["OPTIONS"]["options"] == "-c jit=off"


def test_prepared_statements_can_be_turned_off_for_a_connection_pooler(monkeypatch, tmp_path):
    monkeypatch.setenv("GUANXI_PG_PREPARED_STATEMENTS", "0")
    options = database_from_url(POSTGRES, tmp_path).get("OPTIONS", {})
    assert "server_side_binding" not in options and "prepare_threshold" not in options
    assert "options" not in options


def test_a_sqlite_url_gets_the_settings_of_the_default_file(tmp_path):
    default = database_from_url(None, tmp_path)
    named = database_from_url(f"sqlite:///{tmp_path}/elsewhere/crm.db", tmp_path)
    assert named["NAME"] == tmp_path / "elsewhere" / "crm.db"
    assert named["OPTIONS"] == default["OPTIONS"]
    assert named["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert named["CONN_MAX_AGE"] == default["CONN_MAX_AGE"]
    assert named["TEST"]["NAME"] == str(tmp_path / "elsewhere" / f"test-{os.getpid()}.sqlite3")


def test_a_sqlite_url_opens_in_wal_mode_with_django(tmp_path):
    path = tmp_path / "crm.db"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "PYTHONPATH": str(ROOT)}
    environment["GUANXI_DATA_DIR"] = str(tmp_path / "var")
    code = "from django.db import connection; connection.ensure_connection(); print('ok')"
    command = [sys.executable, "-m", "guanxi.cli", "shell", "-c", code]
    run = subprocess.run(command, env=environment, capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _production(monkeypatch, **environment: str) -> dict:
    """The production settings module run afresh under ``environment``."""
    for name in [n for n in os.environ if n.startswith("GUANXI_")]:
        monkeypatch.delenv(name)
    for name, value in {"GUANXI_SECRET_KEY": SECRET, **environment}.items():
        monkeypatch.setenv(name, value)
    return runpy.run_module("guanxi.settings.production")


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="GUANXI_SECRET_KEY"):
        _production(monkeypatch, GUANXI_SECRET_KEY="")


@pytest.mark.parametrize(
    "key",
    ["short-but-random-Q7x", "ab" * 40, "guanxi-insecure-development-key-change-me"],
    ids=["short", "few-distinct-characters", "the-development-default"],
)
def test_production_refuses_to_start_with_a_weak_secret_key(monkeypatch, key):
    with pytest.raises(ImproperlyConfigured, match="too weak"):
        _production(monkeypatch, GUANXI_SECRET_KEY=key)


def test_production_refuses_debug_pages(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="GUANXI_DEBUG"):
        _production(monkeypatch, GUANXI_DEBUG="1")


def test_production_uses_https_only_cookies_hsts_and_a_redirect_to_https(monkeypatch):
    production = _production(monkeypatch)
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SECURE_SSL_REDIRECT"] and production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SILENCED_SYSTEM_CHECKS"] == []


def test_behind_a_tls_proxy_the_redirect_and_hsts_can_be_left_to_the_proxy(monkeypatch):
    production = _production(
        monkeypatch,
        GUANXI_SSL_REDIRECT="0",
        GUANXI_HSTS_SECONDS="0",
        GUANXI_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert not production["SECURE_SSL_REDIRECT"] and not production["SECURE_HSTS_SECONDS"]
    assert production["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert production["SESSION_COOKIE_SECURE"]
    assert {"security.W004", "security.W008"} <= set(production["SILENCED_SYSTEM_CHECKS"])


def test_secure_cookies_can_be_switched_off(monkeypatch):
    production = _production(monkeypatch, GUANXI_SECURE_COOKIES="0")
    assert not production["SESSION_COOKIE_SECURE"] and not production["CSRF_COOKIE_SECURE"]


def test_a_switch_that_is_neither_0_nor_1_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="GUANXI_SSL_REDIRECT"):
        _production(monkeypatch, GUANXI_SSL_REDIRECT="yes")


def _guanxi(tmp_path, *args: str, **environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUANXI_")}
    env.update(PYTHONPATH=str(ROOT), GUANXI_DATA_DIR=str(tmp_path), **environment)
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "guanxi.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)


def test_the_deployment_check_is_clean_in_production_mode(tmp_path):
    run = _guanxi(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        GUANXI_ENV="production",
        GUANXI_SECRET_KEY=SECRET,
    )
    assert run.returncode == 0, run.stderr
    assert "no issues (0 silenced)" in run.stdout


def test_the_deployment_check_warns_in_development_mode(tmp_path):
    run = _guanxi(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert run.returncode != 0
    assert "security.W012" in run.stderr


def test_an_unknown_run_mode_is_refused(tmp_path):
    run = _guanxi(tmp_path, "check", GUANXI_ENV="prod")
    assert run.returncode != 0
    assert "GUANXI_ENV='prod'" in run.stderr
