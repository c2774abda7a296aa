"""Days that come back every year — birthdays, anniversaries of becoming a customer: the
day they fall on in a given year (29 February on 28 February in a year without it), and
the filter for the dates of any year that fall on given days."""

from datetime import date

from django.db.models import Q


def celebrated_on(value: date, year: int) -> date:
    """The day ``value`` comes back in ``year``: 29 February on 28 February in a year
    that has none."""
    try:
        return value.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def falling_on(days: list[date], lookup: str) -> Q:
    """The rows whose ``lookup`` (a date, of any year) comes back on one of ``days``."""
    condition = Q(pk__in=[])
    for day in days:
        condition |= Q(**{f"{lookup}__month": day.month, f"{lookup}__day": day.day})
        if (day.month, day.day) == (2, 28) and celebrated_on(date(2000, 2, 29), day.year) == day:
            condition |= Q(**{f"{lookup}__month": 2, f"{lookup}__day": 29})
    return condition
