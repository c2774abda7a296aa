"""Settings read from the environment."""

from guanxi.settings import _database

POSTGRES = "postgres://guanxi@db.example:5432/guanxi"


def test_postgresql_binds_on_the_server_and_prepares_repeated_statements(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.delenv("GUANXI_PG_PREPARED_STATEMENTS", raising=False)
    options = _database()["OPTIONS"]
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 5


def test_prepared_statements_can_be_turned_off_for_a_connection_pooler(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", POSTGRES)
    monkeypatch.setenv("GUANXI_PG_PREPARED_STATEMENTS", "0")
    options = _database().get("OPTIONS", {})
    assert "server_side_binding" not in options and "prepare_threshold" not in options
