"""Working periods as administrators give them: wall-clock "HH:MM" times, checked and turned
into minutes after midnight.

A period ends after it starts, within the day (``24:00`` ends it at midnight), and the
periods of one day do not overlap (touching is fine: 12:00–13:00 then 13:00–17:00). Each
mistake is named by its field (``periods.2.end``), so a form or client can point at it.
"""

import re

from django.utils.translation import gettext as _

from guanxi.service.working_time import MINUTES_PER_DAY, Period

CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
MAX_PERIODS = 50


def minutes_of(text: object) -> int | None:
    """Minutes after midnight of an "HH:MM" time (``24:00`` is 1440), or ``None``."""
    match = CLOCK.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    minutes = int(match[1]) * 60 + int(match[2])
    return minutes if minutes <= MINUTES_PER_DAY else None


def clock_of(minutes: int) -> str:
    """The "HH:MM" of minutes after midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _clean_one(raw: object, name: str, errors: dict) -> Period | None:
    if not isinstance(raw, dict):
        errors[name] = [_("Give a period as start and end, e.g. 09:00 and 12:00.")]
        return None
    start, end = minutes_of(raw.get("start")), minutes_of(raw.get("end"))
    if start is None or start == MINUTES_PER_DAY:
        errors[f"{name}.start"] = [_("Give a time from 00:00 to 23:59, e.g. 09:00.")]
    if end is None:
        errors[f"{name}.end"] = [_("Give a time from 00:01 to 24:00, e.g. 17:30.")]
    if start is None or end is None or start == MINUTES_PER_DAY:
        return None
    if end <= start:
        errors[f"{name}.end"] = [_("A period must end after it starts.")]
        return None
    return start, end


def check_overlaps(dated: list[tuple[str, Period]], errors: dict) -> None:
    """Name each period (``(field, period)``) of one day that overlaps an earlier one."""
    ordered = sorted(dated, key=lambda item: item[1])
    for (_name, before), (name, after) in zip(ordered, ordered[1:], strict=False):
        if after[0] < before[1]:
            errors[f"{name}.start"] = [
                _("This period overlaps %(start)s–%(end)s.")
                % {"start": clock_of(before[0]), "end": clock_of(before[1])}
            ]


def clean_day_periods(raw: object, field: str, errors: dict) -> tuple[Period, ...]:
    """One day's periods (an exception's), sorted; mistakes go to ``errors``."""
    if not isinstance(raw, list) or len(raw) > MAX_PERIODS:
        errors[field] = [_("Give at most %(n)s periods.") % {"n": MAX_PERIODS}]
        return ()
    dated = []
    for n, item in enumerate(raw):
        period = _clean_one(item, f"{field}.{n}", errors)
        if period is not None:
            dated.append((f"{field}.{n}", period))
    check_overlaps(dated, errors)
    return tuple(sorted(p for _name, p in dated))


def clean_week(raw: object, field: str, errors: dict) -> tuple[tuple[Period, ...], ...]:
    """The weekly pattern: periods each with a ``weekday`` (Monday = 0), as seven sorted
    tuples; mistakes go to ``errors``. A week without any working period is one (no
    deadline could ever fall)."""
    if not isinstance(raw, list) or len(raw) > MAX_PERIODS:
        errors[field] = [_("Give at most %(n)s periods.") % {"n": MAX_PERIODS}]
        return ((),) * 7
    by_day: list[list[tuple[str, Period]]] = [[] for _day in range(7)]
    for n, item in enumerate(raw):
        name = f"{field}.{n}"
        weekday = item.get("weekday") if isinstance(item, dict) else None
        if not isinstance(weekday, int) or isinstance(weekday, bool) or not 0 <= weekday <= 6:
            errors[f"{name}.weekday"] = [_("Give a weekday from 0 (Monday) to 6 (Sunday).")]
            continue
        period = _clean_one(item, name, errors)
        if period is not None:
            by_day[weekday].append((name, period))
    for dated in by_day:
        check_overlaps(dated, errors)
    if not raw:
        errors[field] = [_("Give at least one working period.")]
    return tuple(tuple(sorted(p for _name, p in dated)) for dated in by_day)


def week_as_stored(week: tuple[tuple[Period, ...], ...]) -> list[dict]:
    """The weekly pattern as the calendar stores and the API shows it."""
    return [
        {"weekday": weekday, "start": clock_of(start), "end": clock_of(end)}
        for weekday, periods in enumerate(week)
        for start, end in periods
    ]


def day_as_stored(periods: tuple[Period, ...]) -> list[dict]:
    """One day's periods as an exception stores and the API shows them."""
    return [{"start": clock_of(start), "end": clock_of(end)} for start, end in periods]
