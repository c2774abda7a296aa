"""China's public holidays and make-up working days (调休), and the years nobody covers yet.

Two sources: the ``chinese-calendar`` package (1.11.0 knows 2004–2026) and the official
schedules administrators enter from the State Council's yearly notice. An entered year
replaces the package's data for that year whole, so a correction never mixes with what it
corrects. A year neither covers is uncovered: deadlines that reach it are refused and
``uncovered_years`` tells administrators which upcoming ones to enter.
"""

from datetime import date

from chinese_calendar import constants as package_data
from django.db.models import Count, Max, Sum

from guanxi.service.models import OfficialDay, OfficialDayKind, OfficialYear
from guanxi.service.working_time import PublicDays

PACKAGE_YEARS = frozenset(
    range(min(package_data.holidays).year, max(package_data.holidays).year + 1)
)
# How many years after this one administrators are told about (a case received in late
# December has deadlines in January).
YEARS_AHEAD = 1


def schedule_stamp() -> tuple:
    """Changes whenever an official schedule is entered or changed (a cache key part)."""
    found = OfficialYear.objects.aggregate(
        n=Count("id"), versions=Sum("version"), last=Max("updated_at")
    )
    return found["n"], found["versions"] or 0, found["last"]


def entered_years() -> frozenset[int]:
    """The years administrators entered an official schedule for."""
    return frozenset(OfficialYear.objects.values_list("year", flat=True))


def public_days() -> PublicDays:
    """Holidays and make-up working days of every covered year, entered years first."""
    entered = entered_years()
    holidays = {d: str(n) for d, n in package_data.holidays.items() if d.year not in entered}
    workdays = {d: str(n) for d, n in package_data.workdays.items() if d.year not in entered}
    for day, kind, name in OfficialDay.objects.values_list("day", "kind", "name"):
        (holidays if kind == OfficialDayKind.HOLIDAY else workdays)[day] = name
    return PublicDays(holidays=holidays, workdays=workdays, years=PACKAGE_YEARS | entered)


def uncovered_years(*, today: date, ahead: int = YEARS_AHEAD) -> list[int]:
    """This year and the next ``ahead`` ones that neither the package nor an entered
    official schedule covers."""
    covered = PACKAGE_YEARS | entered_years()
    return [y for y in range(today.year, today.year + ahead + 1) if y not in covered]
