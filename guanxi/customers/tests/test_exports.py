"""Exports of the customer list: the list the user sees, masked alike, audited, limited."""

import csv
import io

import pytest
from openpyxl import load_workbook

from guanxi.audit.models import AuditEntry


def _csv(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.content
    body = b"".join(answer.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture
def people(make_customer, staff):
    mine = make_customer("艾一", phone="13812345678")
    theirs = make_customer("白二", owner_id=staff["other_manager"].pk, phone="13987654321")
    return mine, theirs


def test_an_account_managers_export_has_only_their_customers(api_as, people):
    rows = _csv(api_as("account_manager").get("/api/v1/customers/export.csv"))
    assert [r[1] for r in rows[1:]] == ["艾一"]


def test_masked_phone_numbers_stay_masked_in_the_export(api_as, people):
    rows = _csv(api_as("marketer").get("/api/v1/customers/export.csv"))
    phones = {r[1]: r[2] for r in rows[1:]}
    assert phones["艾一"] != "13812345678"
    assert "****" in phones["艾一"]


def test_the_export_has_the_lists_filters(api_as, people):
    rows = _csv(api_as("admin").get("/api/v1/customers/export.csv", {"q": "白二"}))
    assert [r[1] for r in rows[1:]] == ["白二"]


def test_a_customer_named_like_a_formula_exports_neutralised(api_as, make_customer):
    make_customer('=HYPERLINK("http://evil.example","x")')
    rows = _csv(api_as("admin").get("/api/v1/customers/export.csv"))
    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","x")'


def test_an_export_is_audited_as_one_entry_naming_the_customers(api_as, people):
    before = AuditEntry.objects.count()
    _csv(api_as("admin").get("/api/v1/customers/export.csv"))
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.customer_count) == ("export", 2)
    assert set(entry.subjects.values_list("customer_id", flat=True)) == {p.pk for p in people}


def test_an_export_beyond_the_limit_is_refused_naming_it_and_audits_nothing(
    api_as, people, settings
):
    settings.GUANXI_EXPORT_MAX_ROWS = 1
    before = AuditEntry.objects.count()
    answer = api_as("admin").get("/api/v1/customers/export.csv")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "export"
    assert "1" in answer.json()["detail"][0]["message"]
    assert AuditEntry.objects.count() == before


def test_an_export_with_an_unknown_segment_is_refused_naming_it(api_as, people):
    answer = api_as("admin").get("/api/v1/customers/export.csv", {"segment": "vip"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "segment"


def test_the_excel_export_holds_the_same_rows(api_as, people):
    answer = api_as("admin").get("/api/v1/customers/export.xlsx", {"sort": "name"})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["艾一", "白二"]


def test_the_list_page_exports_what_it_shows(client, staff, people):
    client.force_login(staff["account_manager"])
    answer = client.get("/customers/export.csv")
    assert [r[1] for r in _csv(answer)[1:]] == ["艾一"]


def test_the_last_purchase_exports_as_a_local_date(api_as, people, settings):
    from datetime import UTC, datetime

    from guanxi.customers.models import Customer

    # 20:00 UTC on 1 March is 04:00 on 2 March in Shanghai.
    Customer.objects.filter(pk=people[0].pk).update(
        last_purchase_at=datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    )
    settings.TIME_ZONE = "Asia/Shanghai"
    rows = _csv(api_as("account_manager").get("/api/v1/customers/export.csv"))
    assert rows[1][9] == "2026-03-02"


def test_a_row_exports_its_amount_in_cents_and_the_runs_warning_and_scores(api_as, people):
    from django.utils import timezone

    from guanxi.customers.models import Customer
    from guanxi.insights.models import AnalysisRun, CustomerScore

    Customer.objects.filter(pk=people[0].pk).update(lifetime_revenue="853680.90")
    run = AnalysisRun.objects.create(
        status="finished", trigger="command", finished_at=timezone.now()
    )
    CustomerScore.objects.create(
        run=run, customer=people[0], rfm_segment="champions", churn_warning=True,
        churn_priority=True, value_at_risk=1234.567, score=73.26, value_tier="gold",
    )  # fmt: skip
    answer = api_as("admin").get("/api/v1/customers/export.csv", {"churn_warning": "true"})
    rows = _csv(answer)
    assert [r[1] for r in rows[1:]] == ["艾一"]
    assert rows[1][8] == "853680.90"
    # The segment's name and the flags in the reader's language (Chinese by default).
    assert rows[1][10:] == ["冠军客户", "是", "是", "1234.57", "73.3"]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Asia/Kolkata", "America/New_York"])
def test_local_days_read_per_hour_equal_each_moment_converted(zone):
    from datetime import UTC, date, datetime, timedelta
    from zoneinfo import ZoneInfo

    from guanxi.customers.exports import _LocalDays

    # Every 7 minutes over two years: half-hour offsets and changes of summer time included.
    start = datetime(2025, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(minutes=7 * n) for n in range(150_000)]
    expected = [m.astimezone(ZoneInfo(zone)).date().isoformat() for m in moments]
    days = _LocalDays(ZoneInfo(zone))
    # As SQLite's driver gives them (naive, in UTC), as text, and aware in any zone.
    assert [days.day(m.replace(tzinfo=None)) for m in moments] == expected
    assert days.day(moments[100].replace(tzinfo=None).isoformat(sep=" ")) == expected[100]
    paris = [m.astimezone(ZoneInfo("Europe/Paris")) for m in moments[:5000]]
    assert [days.day(m) for m in paris] == expected[:5000]
    # A day PostgreSQL worked out is written as it is.
    assert days.day(date(2026, 3, 2)) == "2026-03-02"
    assert len(days.hours) <= 2 * 366 * 24


def test_purchases_either_side_of_a_half_hour_midnight_export_their_own_days(
    api_as, make_customer, settings
):
    from datetime import UTC, datetime

    from guanxi.customers.models import Customer

    # Kolkata is UTC+5:30: 18:20 UTC is 23:50 on 1 March there, 18:40 UTC 00:10 on 2 March.
    before, after = make_customer("艾一"), make_customer("白二")
    Customer.objects.filter(pk=before.pk).update(
        last_purchase_at=datetime(2026, 3, 1, 18, 20, tzinfo=UTC)
    )
    Customer.objects.filter(pk=after.pk).update(
        last_purchase_at=datetime(2026, 3, 1, 18, 40, tzinfo=UTC)
    )
    settings.TIME_ZONE = "Asia/Kolkata"
    rows = _csv(api_as("admin").get("/api/v1/customers/export.csv"))
    assert [(r[1], r[9]) for r in rows[1:]] == [("艾一", "2026-03-01"), ("白二", "2026-03-02")]


def test_an_export_read_a_customer_at_a_time_keeps_the_lists_order(
    api_as, make_customer, monkeypatch
):
    from guanxi.customers import exports

    # One row per fetch: on PostgreSQL each is read ahead in a thread (``read_ahead``).
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 1)
    names = ["艾一", "白二", "蔡三", "丁四", "范五"]
    for name in reversed(names):
        make_customer(name)
    rows = _csv(api_as("admin").get("/api/v1/customers/export.csv"))
    assert [r[1] for r in rows[1:]] == names


def test_an_export_reads_the_runs_scores_from_an_index_alone_on_sqlite(api_as, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from guanxi.insights.models import AnalysisRun, CustomerScore

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan (PostgreSQL reads the rows as the visibility map says)")
    run = AnalysisRun.objects.create(
        status="finished", trigger="command", finished_at=timezone.now()
    )
    CustomerScore.objects.create(run=run, customer=people[0], value_tier="gold")
    with CaptureQueriesContext(connection) as queries:
        rows = _csv(api_as("admin").get("/api/v1/customers/export.csv"))
    assert len(rows) > 1
    (read,) = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and "current" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {read}")
        plan = [row[-1] for row in cursor.fetchall()]
    # A million random reads of score rows cost 3 s of an export at 1M customers.
    assert "SEARCH current USING COVERING INDEX score_customer_run_warning" in " ".join(plan), plan
