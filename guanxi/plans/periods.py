"""A plan's period from any day in it: the week from Monday, or the calendar month."""

import datetime as dt

from guanxi.plans.models import PlanPeriod


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day (both included) of the ``period`` holding ``day``."""
    if period == PlanPeriod.WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def step(period: str, day: dt.date, forward: bool) -> dt.date:
    """The first day of the period after (or before) the one holding ``day``."""
    first, last = period_bounds(period, day)
    if forward:
        return last + dt.timedelta(days=1)
    return period_bounds(period, first - dt.timedelta(days=1))[0]
