"""The period the KPIs are about, its presets, and the pure arithmetic on its figures.

A period is whole days in the business time zone, both ends included; queries read it as
the half-open range of instants ``[start 00:00, day after end 00:00)``.
"""

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.storable import EARLIEST_DATE, LATEST_DATE

MAX_DAYS = 731  # two years: longer spans are the analytics runs' business
PRESETS = ("week", "month", "quarter")


@dataclass(frozen=True)
class Period:
    """Whole days from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    @classmethod
    def of(cls, start: object, end: object) -> "Period":
        """Check a period, naming ``period_start`` or ``period_end`` in one ValidationError."""
        errors: dict[str, list[str]] = {}
        for name, value in (("period_start", start), ("period_end", end)):
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                errors[name] = [_("Give a date (YYYY-MM-DD).")]
            elif not EARLIEST_DATE <= value <= LATEST_DATE:
                bounds = {"a": EARLIEST_DATE, "b": LATEST_DATE}
                errors[name] = [_("Give a date between %(a)s and %(b)s.") % bounds]
        if errors:
            raise ValidationError(errors)
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        if end < start:
            raise ValidationError({"period_end": [_("The end must not come before the start.")]})
        if (end - start).days + 1 > MAX_DAYS:
            raise ValidationError(
                {"period_end": [_("Choose at most %(days)d days.") % {"days": MAX_DAYS}]}
            )
        return cls(start, end)

    @classmethod
    def preset(cls, name: str, day: dt.date) -> "Period":
        """The week (Monday to Sunday), month or quarter holding ``day``."""
        if name == "week":
            monday = day - dt.timedelta(days=day.weekday())
            return cls(monday, monday + dt.timedelta(days=6))
        months = 3 if name == "quarter" else 1
        first_month = (day.month - 1) // months * months + 1
        start = dt.date(day.year, first_month, 1)
        following = first_month + months  # the next period's first month, 13 for January
        after = dt.date(day.year + (following > 12), (following - 1) % 12 + 1, 1)
        return cls(start, after - dt.timedelta(days=1))

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    def days_by(self, now: dt.datetime) -> int:
        """How many of the period's days have begun by ``now`` (all of a past period)."""
        today = timezone.localdate(now)
        return max(0, min(self.days, (today - self.start).days + 1))

    def end_by(self, now: dt.datetime) -> dt.datetime:
        """The period's end, or ``now`` while it runs."""
        return min(self.until, now)

    @property
    def since(self) -> dt.datetime:
        """The period's first instant."""
        return _midnight(self.start)

    @property
    def until(self) -> dt.datetime:
        """The first instant after the period."""
        return _midnight(self.end + dt.timedelta(days=1))


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def percentile(values: Sequence[float], share: float) -> float | None:
    """The ``share`` quantile of ``values`` (0.5: the median), interpolated linearly
    between the two nearest ranks as NumPy's default; ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(part: float | None, whole: float | None) -> float | None:
    """``part / whole``, or ``None`` when there is nothing to divide by."""
    return None if part is None or not whole else part / whole


def money(amount: Decimal | int | None) -> Decimal:
    """An amount to the cent, the same on every database (SQLite sums drop the cents)."""
    return Decimal(amount or 0).quantize(Decimal("0.01"))
