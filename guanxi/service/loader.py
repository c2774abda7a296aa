"""From stored calendars to the pure arithmetic: ``working_time_for`` builds a calendar's
``WorkingTime`` once and keeps it while neither the calendar nor any official schedule
changes.

The cache key is the calendar's version and time of change (every change of the calendar
or its exceptions moves both on) and the official schedules' stamp (count, versions, last
change): each process keeps its own engines, and none can serve a stale one. One small
query per call (the stamp); the years an engine has laid out stay with it, so deadlines
after the first are arithmetic.
"""

import threading

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanxi.service import holidays
from guanxi.service.models import WorkingCalendar
from guanxi.service.periods import minutes_of
from guanxi.service.working_time import CalendarSpec, Period, UncoveredYear, WorkingTime

# Calendars are few; this bounds the memory a process gives them.
MAX_ENGINES = 64
_engines: dict[tuple, WorkingTime] = {}
_lock = threading.Lock()


def _periods(stored: list[dict]) -> tuple[Period, ...]:
    found = [(minutes_of(p["start"]), minutes_of(p["end"])) for p in stored]
    return tuple(sorted((s, e) for s, e in found if s is not None and e is not None))


def forget_engines() -> None:
    """Drop every cached engine (tests: each starts from its own database)."""
    _engines.clear()


def calendar_spec(calendar: WorkingCalendar) -> CalendarSpec:
    """The calendar as the arithmetic needs it (its exceptions and, when public holidays
    apply, the public days read too)."""
    week: list[list[Period]] = [[] for _day in range(7)]
    for stored in calendar.periods:
        week[stored["weekday"]].extend(_periods([stored]))
    exceptions = {
        e.day: _periods(e.periods) if e.working else () for e in calendar.exceptions.all()
    }
    return CalendarSpec(
        time_zone=calendar.time_zone,
        week=tuple(tuple(sorted(day)) for day in week),
        public_days=holidays.public_days() if calendar.public_holidays else None,
        exceptions=exceptions,
    )


def working_time_for(calendar: WorkingCalendar) -> WorkingTime:
    """The calendar's working-time engine, built on first use and then reused."""
    key = (calendar.pk, calendar.version, calendar.updated_at, holidays.schedule_stamp())
    engine = _engines.get(key)
    if engine is None:
        engine = WorkingTime(calendar_spec(calendar))
        with _lock:
            if len(_engines) >= MAX_ENGINES:
                _engines.clear()
            _engines[key] = engine
    return engine


def uncovered_error(exc: UncoveredYear, field: str) -> ValidationError:
    """An uncovered year as a client error naming ``field``, the date and the year."""
    return ValidationError(
        {
            field: [
                _(
                    "No public holiday data covers %(date)s: an administrator must enter "
                    "the official schedule of %(year)s first."
                )
                % {"date": exc.day.isoformat(), "year": exc.year}
            ]
        }
    )
