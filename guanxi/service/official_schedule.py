"""Entering a year's official schedule: its public holidays (with names) and make-up working
days, as the State Council's yearly notice gives them (administrators).

The schedule replaces the whole year, and replaces the ``chinese-calendar`` package's data
for it. The first entry of a year carries version 0, a change the version read. Audited in
the same transaction.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.concurrency import VersionConflict, save_if_version
from guanxi.service.models import OfficialDay, OfficialDayKind, OfficialYear

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_DAYS = 200


def _clean_days(raw: object, field: str, year: int, seen: set[date], errors: dict) -> list:
    if not isinstance(raw, list) or len(raw) > MAX_DAYS:
        errors[field] = [_("Give at most %(n)s days.") % {"n": MAX_DAYS}]
        return []
    cleaned = []
    for n, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        day, name = item.get("day"), item.get("name")
        if not isinstance(day, date) or day.year != year:
            errors[f"{field}.{n}.day"] = [_("Give a date in %(year)s.") % {"year": year}]
        elif day in seen:
            errors[f"{field}.{n}.day"] = [_("This date is listed twice.")]
        else:
            seen.add(day)
        name = name.strip() if isinstance(name, str) else ""
        if not name or len(name) > 50:
            errors[f"{field}.{n}.name"] = [_("Name the holiday (1 to 50 characters).")]
        cleaned.append((day, name))
    return cleaned


def _listed(schedule: OfficialYear) -> dict[str, list[list[str]]]:
    days = schedule.days.order_by("day").values_list("kind", "day", "name")
    return {
        kind: [[d.isoformat(), name] for k, d, name in days if k == kind]
        for kind in OfficialDayKind.values
    }


def official_schedule_set(
    *,
    viewer: policy.Viewer,
    year: int,
    holidays: list,
    workdays: list,
    expected_version: int,
    context: RequestContext,
) -> OfficialYear:
    """Enter (or replace) the official schedule of ``year`` (administrators)."""
    policy.require(viewer, "working_calendar.manage")
    errors: dict = {}
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            {"year": [_("Give a year from %(first)s to %(last)s.") % {
                "first": FIRST_YEAR, "last": LAST_YEAR}]}
        )  # fmt: skip
    seen: set[date] = set()
    off = _clean_days(holidays, "holidays", year, seen, errors)
    on = _clean_days(workdays, "workdays", year, seen, errors)
    if not off and "holidays" not in errors:
        errors["holidays"] = [_("Give the year's public holidays.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        schedule = OfficialYear.objects.select_for_update().filter(year=year).first()
        old = None
        if schedule is None:
            if expected_version != 0:  # a year never entered has version 0
                raise VersionConflict(0)
            schedule = OfficialYear.objects.create(year=year, entered_by_id=viewer.user_id)
        else:
            old = _listed(schedule)
            schedule.entered_by_id = viewer.user_id
            save_if_version(schedule, expected_version, ["entered_by_id"])
            schedule.days.all().delete()
        OfficialDay.objects.bulk_create(
            [OfficialDay(schedule=schedule, day=d, name=n, kind=OfficialDayKind.HOLIDAY)
             for d, n in off]
            + [OfficialDay(schedule=schedule, day=d, name=n, kind=OfficialDayKind.WORKDAY)
               for d, n in on]
        )  # fmt: skip
        new = _listed(schedule)
        record(
            viewer.user, AuditAction.UPDATE if old else AuditAction.CREATE, "official_schedule",
            [schedule.pk], list(OfficialDayKind.values), context,
            changes={kind: [old[kind] if old else None, new[kind]] for kind in new},
            name=str(year),
        )  # fmt: skip
    return schedule
