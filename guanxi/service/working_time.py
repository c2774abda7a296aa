"""Working time on a working calendar: SLA deadlines and elapsed working time.

A pure module (no Django): it is fed frozen dataclasses (``CalendarSpec``) that
``guanxi.service.loader`` builds from the stored calendars. Results are exact across lunch
breaks, weekends, public holidays, make-up working days (调休), time zones and daylight
saving time: working periods are wall-clock times of the calendar's zone, and working time
is real time elapsed inside them.

For each local year it needs, ``WorkingTime`` lays the year's working intervals out once as
UTC microseconds with running totals, so a deadline is two binary searches. A year that
public holidays apply to but no holiday data covers is refused (``UncoveredYear``), never
taken for a year of ordinary days.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
ONE_DAY = timedelta(days=1)
MINUTES_PER_DAY = 24 * 60
# A calendar with no working time in this many years has none at all (a deadline then fails
# instead of searching forever).
MAX_YEARS_AHEAD = 5
# working_time_between over more years than this is a caller's mistake, not an SLA.
MAX_SPAN_YEARS = 20

# Minutes after local midnight: [start, end), 0 <= start < end <= 1440.
Period = tuple[int, int]


class UncoveredYear(Exception):
    """Public holidays apply, but no holiday data covers ``day``'s year."""

    def __init__(self, day: date) -> None:
        super().__init__(
            f"No public holiday data covers {day.isoformat()}: "
            f"enter the official schedule of {day.year}."
        )
        self.day = day
        self.year = day.year


class NoWorkingTime(Exception):
    """The calendar has no working time within ``MAX_YEARS_AHEAD`` years of the start."""


@dataclass(frozen=True)
class PublicDays:
    """China's official schedule: holidays and make-up working days by date (each with its
    name), and the years it covers. In a covered year every other day is ordinary."""

    holidays: Mapping[date, str]
    workdays: Mapping[date, str]
    years: frozenset[int]


@dataclass(frozen=True)
class CalendarSpec:
    """A working calendar as the arithmetic needs it.

    ``week`` holds each weekday's periods, Monday first, sorted and not overlapping.
    ``public_days`` is ``None`` when public holidays do not apply. ``exceptions`` are an
    administrator's days: off (no periods) or working their own periods; they win over
    everything else. A make-up working day works its weekday's periods when it has some,
    else ``makeup`` (the calendar's first working weekday's periods).
    """

    time_zone: str
    week: tuple[tuple[Period, ...], ...]
    public_days: PublicDays | None = None
    exceptions: Mapping[date, tuple[Period, ...]] | None = None

    @property
    def makeup(self) -> tuple[Period, ...]:
        """The periods of a make-up working day on a weekday that has none of its own."""
        return next((periods for periods in self.week[:5] if periods), ())

    def periods_on(self, day: date) -> tuple[Period, ...]:
        """The working periods of one local date (``UncoveredYear`` when unknown)."""
        if self.exceptions and day in self.exceptions:
            return self.exceptions[day]
        own = self.week[day.weekday()]
        public = self.public_days
        if public is None:
            return own
        if day.year not in public.years:
            raise UncoveredYear(day)
        if day in public.holidays:
            return ()
        if day in public.workdays:
            return own or self.makeup
        return own


@dataclass(frozen=True)
class _Year:
    """One local year's working intervals in UTC microseconds, with running totals."""

    starts: list[int]
    ends: list[int]
    done_before: list[int]  # working time of the intervals before each one
    done_after: list[int]  # ... up to the end of each one
    total: int

    def done_at(self, moment: int) -> int:
        """Working time from the year's start to ``moment`` (a moment within the year)."""
        i = bisect_right(self.ends, moment)
        if i == len(self.starts):
            return self.total
        return self.done_before[i] + max(0, moment - self.starts[i])


def _micros(moment: datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


def _moment(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


class WorkingTime:
    """Deadlines and elapsed working time on one calendar; each year is laid out once, on
    first use, and kept (build one per calendar version and reuse it)."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self.zone = ZoneInfo(spec.time_zone)
        self._years: dict[int, _Year] = {}

    def deadline_after(self, start: datetime, working: timedelta) -> datetime:
        """The moment (UTC) when ``working`` time has passed within working periods since
        ``start``. A deadline ending a period is its end (17:30), not the next start."""
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime")
        if working < timedelta(0):
            raise ValueError("working time must not be negative")
        remaining = working // MICROSECOND
        if remaining == 0:
            return start.astimezone(UTC)
        year = start.astimezone(self.zone).year
        table = self._year(year)
        target = table.done_at(_micros(start)) + remaining
        for _ in range(MAX_YEARS_AHEAD + 1):
            if target <= table.total:
                j = bisect_left(table.done_after, target)
                return _moment(table.starts[j] + target - table.done_before[j])
            target -= table.total
            year += 1
            table = self._year(year)
        raise NoWorkingTime(f"no working time in {MAX_YEARS_AHEAD} years after {start}")

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """The working time from ``a`` to ``b`` (negative when ``b`` is earlier)."""
        if a.tzinfo is None or b.tzinfo is None:
            raise ValueError("give aware datetimes")
        if b < a:
            return -self.working_time_between(b, a)
        first, last = a.astimezone(self.zone).year, b.astimezone(self.zone).year
        if last - first > MAX_SPAN_YEARS:
            raise ValueError(f"give a span of at most {MAX_SPAN_YEARS} years")
        done = self._year(last).done_at(_micros(b)) - self._year(first).done_at(_micros(a))
        done += sum(self._year(y).total for y in range(first, last))
        return timedelta(microseconds=done)

    def working_day_after(self, day: date, count: int) -> date:
        """The ``count``-th day after ``day`` with working time (``UncoveredYear`` when a
        day on the way has no holiday data)."""
        if count < 1:
            raise ValueError("count must be at least 1")
        for _ in range(count * 366):
            day += ONE_DAY
            if self.spec.periods_on(day):
                count -= 1
                if count == 0:
                    return day
        raise NoWorkingTime(f"no working day found after {day}")

    def is_working(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside a working period."""
        table = self._year(moment.astimezone(self.zone).year)
        t = _micros(moment)
        i = bisect_right(table.ends, t)
        return i < len(table.starts) and table.starts[i] <= t

    def _year(self, year: int) -> _Year:
        table = self._years.get(year)
        if table is None:
            table = self._years[year] = self._lay_out(year)
        return table

    def _lay_out(self, year: int) -> _Year:
        starts: list[int] = []
        ends: list[int] = []
        day = date(year, 1, 1)
        while day.year == year:
            # Wall-clock arithmetic on an aware datetime: each end gets its own UTC offset,
            # so a period across a DST change lasts the real time it does.
            midnight = datetime(day.year, day.month, day.day, tzinfo=self.zone)
            for begin, end in self.spec.periods_on(day):
                s = _micros(midnight + timedelta(minutes=begin))
                e = _micros(midnight + timedelta(minutes=end))
                if e > s:  # a period inside a skipped DST hour has no length
                    starts.append(s)
                    ends.append(e)
            day += ONE_DAY
        done_before, done_after, total = [], [], 0
        for s, e in zip(starts, ends, strict=True):
            done_before.append(total)
            total += e - s
            done_after.append(total)
        return _Year(starts, ends, done_before, done_after, total)
