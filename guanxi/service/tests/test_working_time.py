"""Working-time arithmetic with fixed clocks: lunch breaks, weekends, China's public holidays
and make-up working days, time zones, daylight saving time and uncovered years.

The calendar of most tests is a Shanghai desk working 09:00–12:00 and 13:30–17:30 on
weekdays (7 hours a day), with China's 2026 schedule from the chinese-calendar package:
National Day is off 1–7 October, and Sunday 20 September and Saturday 10 October are
make-up working days.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.service.working_time import (
    CalendarSpec,
    NoWorkingTime,
    PublicDays,
    UncoveredYear,
    WorkingTime,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = ((540, 720), (810, 1050))  # 09:00–12:00, 13:30–17:30
WEEKDAYS = (DAY,) * 5 + ((), ())
PACKAGE = PublicDays(
    holidays=dict(constants.holidays),
    workdays=dict(constants.workdays),
    years=frozenset(range(2004, 2027)),
)
HOURS = timedelta(hours=1)


def desk(public_days=PACKAGE, exceptions=None, week=WEEKDAYS, zone="Asia/Shanghai"):
    spec = CalendarSpec(zone, week, public_days=public_days, exceptions=exceptions or {})
    return WorkingTime(spec)


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_a_complaint_the_afternoon_before_national_day_is_due_after_the_holiday():
    # 16:00–17:30 on the 30th, then 1–7 October off: 6.5 hours left on Thursday the 8th.
    due = desk().deadline_after(shanghai(2026, 9, 30, 16), 8 * HOURS)
    assert due == shanghai(2026, 10, 8, 17)


def test_a_deadline_running_past_the_week_lands_on_the_make_up_saturday():
    # 1.5 + 7 (8th) + 7 (9th) = 15.5 hours: the last half hour on Saturday the 10th (调休).
    due = desk().deadline_after(shanghai(2026, 9, 30, 16), 16 * HOURS)
    assert due == shanghai(2026, 10, 10, 9, 30)


def test_a_start_inside_the_lunch_break_counts_from_the_afternoon_period():
    due = desk().deadline_after(shanghai(2026, 11, 10, 12, 30), 1 * HOURS)
    assert due == shanghai(2026, 11, 10, 14, 30)


def test_a_start_on_a_make_up_saturday_works_that_day():
    due = desk().deadline_after(shanghai(2026, 10, 10, 10), timedelta(hours=2, minutes=30))
    assert due == shanghai(2026, 10, 10, 14)


def test_a_start_on_an_ordinary_saturday_waits_for_monday():
    due = desk().deadline_after(shanghai(2026, 11, 7, 10), 1 * HOURS)
    assert due == shanghai(2026, 11, 9, 10)


def test_a_start_at_23_utc_counts_from_the_next_shanghai_morning():
    # 23:00 UTC on Monday 9 November is 07:00 on Tuesday in Shanghai, before opening.
    due = desk().deadline_after(datetime(2026, 11, 9, 23, tzinfo=UTC), 1 * HOURS)
    assert due == shanghai(2026, 11, 10, 10)
    assert due.tzinfo == UTC


def test_a_deadline_that_uses_a_whole_period_is_its_end_not_the_next_start():
    due = desk().deadline_after(shanghai(2026, 11, 10, 16, 30), 1 * HOURS)
    assert due == shanghai(2026, 11, 10, 17, 30)


def test_no_working_time_is_the_start_itself():
    start = shanghai(2026, 11, 8, 3)
    assert desk().deadline_after(start, timedelta(0)) == start


def test_a_late_december_start_due_in_an_uncovered_year_is_refused_naming_it():
    with pytest.raises(UncoveredYear) as refused:
        desk().deadline_after(shanghai(2026, 12, 31, 16), 8 * HOURS)
    assert refused.value.year == 2027
    assert refused.value.day == date(2027, 1, 1)
    assert "2027" in str(refused.value)


def test_the_entered_schedule_of_a_new_year_computes_the_late_december_deadline():
    entered = PublicDays(
        holidays={**PACKAGE.holidays, date(2027, 1, 1): "元旦"},
        workdays=PACKAGE.workdays,
        years=PACKAGE.years | {2027},
    )
    # 1.5 hours on Thursday 31 December, New Year's Day off, then the weekend: Monday 4th.
    due = desk(entered).deadline_after(shanghai(2026, 12, 31, 16), 8 * HOURS)
    assert due == shanghai(2027, 1, 4, 17)


def test_a_deadline_within_the_covered_year_needs_no_next_year():
    due = desk().deadline_after(shanghai(2026, 12, 31, 16), 1 * HOURS)
    assert due == shanghai(2026, 12, 31, 17)


def test_an_administrators_day_off_moves_the_deadline():
    start = shanghai(2026, 11, 9, 16)
    assert desk().deadline_after(start, 2 * HOURS) == shanghai(2026, 11, 10, 9, 30)
    closed = desk(exceptions={date(2026, 11, 10): ()})
    assert closed.deadline_after(start, 2 * HOURS) == shanghai(2026, 11, 11, 9, 30)


def test_an_administrators_working_day_uses_its_own_periods():
    saturday = desk(exceptions={date(2026, 11, 7): ((600, 660),)})  # 10:00–11:00
    due = saturday.deadline_after(shanghai(2026, 11, 6, 17), 1 * HOURS)
    assert due == shanghai(2026, 11, 7, 10, 30)


def test_working_time_between_skips_the_lunch_break():
    elapsed = desk().working_time_between(shanghai(2026, 11, 10, 11), shanghai(2026, 11, 10, 14))
    assert elapsed == timedelta(hours=1, minutes=30)


def test_working_time_between_skips_the_national_day_holiday():
    elapsed = desk().working_time_between(shanghai(2026, 9, 30, 16), shanghai(2026, 10, 8, 10))
    assert elapsed == timedelta(hours=2, minutes=30)


def test_working_time_between_is_negative_backwards():
    a, b = shanghai(2026, 11, 10, 9), shanghai(2026, 11, 10, 10)
    assert desk().working_time_between(b, a) == -HOURS


def test_working_time_between_across_new_year_counts_both_years():
    entered = PublicDays(PACKAGE.holidays, PACKAGE.workdays, PACKAGE.years | {2027})
    elapsed = desk(entered).working_time_between(
        shanghai(2026, 12, 31, 17), shanghai(2027, 1, 1, 10)
    )
    assert elapsed == timedelta(minutes=30) + HOURS  # 1 January worked: no holiday entered


def test_working_time_between_into_an_uncovered_year_is_refused():
    with pytest.raises(UncoveredYear):
        desk().working_time_between(shanghai(2026, 12, 31, 9), shanghai(2027, 1, 4, 9))


@pytest.mark.parametrize("minutes", [1, 59, 90, 420, 421, 2400, 10000])
def test_the_working_time_to_a_deadline_is_the_time_asked(minutes):
    calendar = desk()
    start = shanghai(2026, 9, 29, 11, 17)
    due = calendar.deadline_after(start, timedelta(minutes=minutes))
    assert calendar.working_time_between(start, due) == timedelta(minutes=minutes)


def test_a_deadline_over_a_dst_weekend_keeps_local_opening_hours():
    # London moves to summer time on Sunday 29 March 2026; Monday opens at 09:00 BST.
    london = desk(None, week=(((540, 1020),),) * 5 + ((), ()), zone="Europe/London")
    due = london.deadline_after(datetime(2026, 3, 27, 16, tzinfo=UTC), 2 * HOURS)
    assert due == datetime(2026, 3, 30, 9, tzinfo=UTC)  # 10:00 BST: 09:00 BST + 1 hour


def test_a_period_across_a_dst_change_lasts_the_real_time():
    # New York skips 02:00–03:00 on Sunday 8 March 2026: 00:00–04:00 lasts three hours.
    night = ((),) * 6 + (((0, 240),),)
    new_york = desk(None, week=night, zone="America/New_York")
    zone = ZoneInfo("America/New_York")
    elapsed = new_york.working_time_between(
        datetime(2026, 3, 8, tzinfo=zone), datetime(2026, 3, 9, tzinfo=zone)
    )
    assert elapsed == 3 * HOURS


def test_a_calendar_without_public_holidays_works_through_national_day():
    due = desk(None).deadline_after(shanghai(2026, 9, 30, 16), 8 * HOURS)
    assert due == shanghai(2026, 10, 1, 17)


def test_a_calendar_without_working_periods_has_no_deadline():
    with pytest.raises(NoWorkingTime):
        desk(None, week=((),) * 7).deadline_after(shanghai(2026, 11, 9, 9), HOURS)


def test_a_naive_start_is_refused():
    with pytest.raises(ValueError):
        desk().deadline_after(datetime(2026, 11, 9, 9), HOURS)  # noqa: DTZ001 (the point)


MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 (hypothesis adds the zone)
    max_value=datetime(2026, 12, 20),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, SHANGHAI, ZoneInfo("Europe/London")]),
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    start=MOMENTS,
    minutes=st.integers(min_value=0, max_value=5 * 420),
    zone=st.sampled_from(["Asia/Shanghai", "America/New_York"]),
)
def test_any_deadline_is_the_working_time_asked_after_its_start(start, minutes, zone):
    calendar = desk(PACKAGE if zone == "Asia/Shanghai" else None, zone=zone)
    due = calendar.deadline_after(start, timedelta(minutes=minutes))
    assert due >= start
    assert calendar.working_time_between(start, due) == timedelta(minutes=minutes)
    if minutes:
        # It falls inside working time or at the end of a period, never in a gap.
        assert calendar.is_working(due - timedelta(microseconds=1))
