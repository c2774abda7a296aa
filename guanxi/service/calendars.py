"""Writing working calendars: create one, and change its name, zone, weekly periods,
whether public holidays apply, and its exceptions (administrators).

Everything is checked before anything is written, each mistake named by its field; the
change and its audit entry are one transaction; an update carries the version read, so two
administrators cannot overwrite each other.
"""

import functools
import zoneinfo
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record
from guanxi.concurrency import DuplicateValue, save_if_version, unique_or_conflict
from guanxi.service.models import DEFAULT_TIME_ZONE, CalendarException, WorkingCalendar
from guanxi.service.periods import clean_day_periods, clean_week, day_as_stored, week_as_stored
from guanxi.service.selectors import calendar_get_for_user
from guanxi.storable import EARLIEST_DATE, LATEST_DATE

MAX_EXCEPTIONS = 1000
DUPLICATE_NAME = gettext_lazy("A working calendar with this name exists already.")


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _clean_name(value: object, errors: dict) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name or len(name) > 100:
        errors["name"] = [_("Give a name of 1 to 100 characters.")]
    return name


def _clean_zone(value: object, errors: dict) -> str:
    if not isinstance(value, str) or value not in _zones():
        errors["time_zone"] = [_("Give an IANA time zone, e.g. Asia/Shanghai.")]
        return ""
    return value


def _clean_exceptions(raw: object, errors: dict) -> list[dict]:
    """An administrator's exceptions as stored: one per date, off or with periods."""
    if not isinstance(raw, list) or len(raw) > MAX_EXCEPTIONS:
        errors["exceptions"] = [_("Give at most %(n)s exceptions.") % {"n": MAX_EXCEPTIONS}]
        return []
    cleaned, seen = [], set()
    for n, item in enumerate(raw):
        name = f"exceptions.{n}"
        item = item if isinstance(item, dict) else {}
        day, working, note = item.get("day"), item.get("working", False), item.get("note", "")
        if not isinstance(day, date) or not EARLIEST_DATE <= day <= LATEST_DATE:
            errors[f"{name}.day"] = [_("Give a date.")]
        elif day in seen:
            errors[f"{name}.day"] = [_("This date has an exception already.")]
        seen.add(day)
        if not isinstance(working, bool):
            errors[f"{name}.working"] = [_("Say whether the day is worked.")]
        if not isinstance(note, str) or len(note) > 200:
            errors[f"{name}.note"] = [_("Keep the note under 201 characters.")]
        periods = clean_day_periods(item.get("periods", []), f"{name}.periods", errors)
        if working is True and not periods and f"{name}.periods" not in errors:
            errors[f"{name}.periods"] = [_("Give the working periods of a working day.")]
        if working is False and periods:
            errors[f"{name}.periods"] = [_("A day off has no working periods.")]
        cleaned.append(
            {"day": day, "working": working, "periods": day_as_stored(periods), "note": note}
        )
    return cleaned


def _check(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _taken(name: str, exclude_id: int | None = None) -> None:
    others = WorkingCalendar.objects.filter(name=name)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    existing = others.values_list("pk", flat=True).first()
    if existing is not None:
        raise DuplicateValue("name", str(DUPLICATE_NAME), existing_id=existing)


def _store_exceptions(calendar: WorkingCalendar, exceptions: list[dict]) -> None:
    calendar.exceptions.all().delete()
    CalendarException.objects.bulk_create(
        CalendarException(calendar=calendar, **item) for item in exceptions
    )


def _audited(exceptions: list[dict]) -> list[dict]:
    return [{**item, "day": item["day"].isoformat()} for item in exceptions]


def calendar_create(
    *,
    viewer: policy.Viewer,
    name: str,
    periods: list,
    context: RequestContext,
    time_zone: str = DEFAULT_TIME_ZONE,
    public_holidays: bool = True,
    exceptions: list | None = None,
) -> WorkingCalendar:
    """Make a working calendar (administrators); audited."""
    policy.require(viewer, "working_calendar.manage")
    errors: dict = {}
    clean_name = _clean_name(name, errors)
    values = {
        "name": clean_name,
        "time_zone": _clean_zone(time_zone, errors),
        "periods": week_as_stored(clean_week(periods, "periods", errors)),
        "public_holidays": public_holidays,
    }
    if not isinstance(public_holidays, bool):
        errors["public_holidays"] = [_("Say whether China's public holidays apply.")]
    days = _clean_exceptions(exceptions or [], errors)
    _check(errors)
    _taken(clean_name)
    with unique_or_conflict("name", str(DUPLICATE_NAME)):
        calendar = WorkingCalendar.objects.create(**values)
        _store_exceptions(calendar, days)
        record(
            viewer.user, AuditAction.CREATE, "working_calendar", [calendar.pk],
            [*values, "exceptions"], context,
            changes={**created(values), **created({"exceptions": _audited(days)})},
            name=calendar.name,
        )  # fmt: skip
    return calendar


def calendar_update(
    *,
    viewer: policy.Viewer,
    calendar_id: int,
    expected_version: int,
    context: RequestContext,
    name: str | None = None,
    time_zone: str | None = None,
    periods: list | None = None,
    public_holidays: bool | None = None,
    exceptions: list | None = None,
) -> WorkingCalendar:
    """Change a calendar (administrators): the fields given; ``periods`` and ``exceptions``
    replace the whole list. A stale version changes nothing. Audited."""
    policy.require(viewer, "working_calendar.manage")
    calendar = calendar_get_for_user(viewer=viewer, calendar_id=calendar_id)
    errors: dict = {}
    values: dict = {}
    if name is not None:
        values["name"] = _clean_name(name, errors)
    if time_zone is not None:
        values["time_zone"] = _clean_zone(time_zone, errors)
    if periods is not None:
        values["periods"] = week_as_stored(clean_week(periods, "periods", errors))
    if public_holidays is not None:
        if not isinstance(public_holidays, bool):
            errors["public_holidays"] = [_("Say whether China's public holidays apply.")]
        values["public_holidays"] = public_holidays
    days = _clean_exceptions(exceptions, errors) if exceptions is not None else None
    _check(errors)
    if "name" in values:
        _taken(values["name"], exclude_id=calendar.pk)
    changes = {k: [getattr(calendar, k), v] for k, v in values.items() if getattr(calendar, k) != v}
    with unique_or_conflict("name", str(DUPLICATE_NAME)):
        stored = calendar.exceptions.order_by("day").values("day", "working", "periods", "note")
        old_days = _audited([dict(row) for row in stored])
        for key, value in values.items():
            setattr(calendar, key, value)
        # The version moves on for exceptions too: it keys the cached working time.
        save_if_version(calendar, expected_version, list(values))
        if days is not None:
            _store_exceptions(calendar, days)
            new_days = sorted(_audited(days), key=lambda item: item["day"])
            if new_days != old_days:
                changes["exceptions"] = [old_days, new_days]
        record(
            viewer.user, AuditAction.UPDATE, "working_calendar", [calendar.pk], sorted(changes),
            context, changes=changes, name=calendar.name,
        )  # fmt: skip
    return calendar
