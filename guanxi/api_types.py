"""Bounded API parameter types, so out-of-range values are a 422 and never reach SQL."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field

from guanxi.storable import EARLIEST_DATE, LATEST_DATE, MAX_RECORD_ID, MONEY_LIMIT


def _to_utc(moment: datetime) -> datetime:
    # Python accepts UTC offsets up to a day, PostgreSQL only up to 16 hours; store UTC.
    if moment.tzinfo is None:
        raise ValueError("give a time zone, e.g. 2026-01-31T09:30:00+08:00")
    try:
        moment = moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date out of range") from exc
    _business_date(moment.date())
    return moment


def _business_date(day: date) -> date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"give a date between {EARLIEST_DATE} and {LATEST_DATE}")
    return day


def _money(amount: Decimal) -> Decimal:
    if not amount.is_finite():
        raise ValueError("give an amount, not infinity or NaN")
    if abs(amount) >= MONEY_LIMIT:
        raise ValueError(f"amounts are kept exactly below {MONEY_LIMIT:,}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("amounts have at most 2 decimal places")
    return amount


RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]
# Versions are 32-bit columns and an update stores the version read plus one.
Version = Annotated[int, Field(ge=1, le=2**31 - 2)]
# Page numbers, of the API and of pages alike.
MAX_PAGE = 1_000_000
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE)]
Moment = Annotated[datetime, AfterValidator(_to_utc)]
Money = Annotated[Decimal, AfterValidator(_money)]
BusinessDate = Annotated[date, AfterValidator(_business_date)]
