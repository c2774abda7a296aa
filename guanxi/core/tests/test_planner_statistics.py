"""SQLite's planner statistics, gathered on request (demo data and every analysis run)."""

import pytest
from django.db import connection

from guanxi.core.planner_statistics import planner_statistics_refresh
from guanxi.customers.models import Customer

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's statistics")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's statistics"
)


@sqlite_only
def test_a_refresh_gathers_statistics_of_the_customer_indexes(make_customer):
    make_customer("王客户")
    planner_statistics_refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT idx FROM sqlite_stat1 WHERE tbl = 'customers_customer'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert {"customer_owner_tier", "customer_tier_pinyin"} <= indexes


@postgresql_only
def test_a_refresh_analyses_the_tables_it_names(make_customer):
    make_customer("王客户")
    count = "SELECT count(*) FROM pg_stats WHERE tablename = 'customers_customer'"
    with connection.cursor() as cursor:
        cursor.execute(count)
        assert cursor.fetchone()[0] == 0  # a new test database: never analysed
        planner_statistics_refresh([Customer])
        cursor.execute(count)
        assert cursor.fetchone()[0] > 0
