"""SQLite's planner statistics, gathered on request (demo data and every analysis run)."""

import pytest
from django.db import connection

from guanxi.core.planner_statistics import planner_statistics_refresh

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's autovacuum gathers its own statistics"
)


def test_a_refresh_gathers_statistics_of_the_customer_indexes(make_customer):
    make_customer("王客户")
    planner_statistics_refresh()
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT idx FROM sqlite_stat1 WHERE tbl = 'customers_customer'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert {"customer_owner_tier", "customer_tier_pinyin"} <= indexes
