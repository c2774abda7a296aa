"""The calendar day of each transaction (:func:`guanxi.analytics.pipeline.prepare.calendar_day`)."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa
import pytest

from guanxi.analytics.pipeline.prepare import calendar_day

# 23:30 UTC on the last evening of winter time in New York and on the first of summer time
MOMENTS = [
    dt.datetime(2024, 3, 9, 23, 30, tzinfo=dt.UTC),
    dt.datetime(2024, 3, 10, 23, 30, tzinfo=dt.UTC),
]


def _days(zone: str, moments: list[dt.datetime]) -> tuple[list[dt.date], list[dt.date], str]:
    """The days :func:`calendar_day` gives, the days of DuckDB's own conversion, and the
    SQL of ours."""
    con = ibis.duckdb.connect()
    con.raw_sql(f"SET TimeZone = '{zone}'")
    table = con.create_table(
        "log", pa.table({"at": pa.array(moments, pa.timestamp("us", tz="UTC"))}), temp=True
    )
    ours = table.select(day=calendar_day(table, "at"))
    duckdb = table.select(day=table["at"].date()).to_pyarrow()["day"].to_pylist()
    return ours.to_pyarrow()["day"].to_pylist(), duckdb, str(ibis.to_sql(ours))


@pytest.mark.parametrize(
    ("zone", "expected", "by_offset"),
    [
        ("UTC", [dt.date(2024, 3, 9), dt.date(2024, 3, 10)], True),
        ("Asia/Shanghai", [dt.date(2024, 3, 10), dt.date(2024, 3, 11)], True),  # +8 all year
        ("America/New_York", [dt.date(2024, 3, 9), dt.date(2024, 3, 10)], False),  # -5, -4
    ],
)
def test_a_moment_falls_on_its_day_in_the_sessions_zone_as_duckdb_says(zone, expected, by_offset):
    ours, duckdb, sql = _days(zone, MOMENTS)

    assert ours == expected
    assert ours == duckdb
    assert ("MAKE_TIMESTAMP" in sql) is by_offset  # one offset: computed without the calendar


def test_a_moment_near_midnight_in_a_zone_with_daylight_saving_keeps_its_local_day():
    # 03:30 UTC is 23:30 in New York in summer (-4) and 22:30 in winter (-5): both the day
    # before, which one fixed offset could not give for both.
    moments = [
        dt.datetime(2024, 1, 15, 3, 30, tzinfo=dt.UTC),
        dt.datetime(2024, 7, 15, 3, 30, tzinfo=dt.UTC),
    ]

    ours, duckdb, _ = _days("America/New_York", moments)

    assert ours == [dt.date(2024, 1, 14), dt.date(2024, 7, 14)] == duckdb


def test_dates_and_iso_text_are_their_own_day():
    table = ibis.memtable(
        {"on": [dt.date(2024, 5, 1)], "text": ["2024-05-02"]},
        schema={"on": "date", "text": "string"},
    )

    assert table.select(d=calendar_day(table, "on")).to_pyarrow()["d"][0].as_py() == dt.date(
        2024, 5, 1
    )
    assert table.select(d=calendar_day(table, "text")).to_pyarrow()["d"][0].as_py() == dt.date(
        2024, 5, 2
    )


def test_a_number_is_refused_naming_its_column():
    table = ibis.memtable({"when": [1]})

    with pytest.raises(ValueError, match="'when'"):
        calendar_day(table, "when")
