"""Bounded API parameter types, so out-of-range values are a 422 and never reach SQL."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field


def _to_utc(moment: datetime) -> datetime:
    # Python accepts UTC offsets up to a day, PostgreSQL only up to 16 hours; store UTC.
    if moment.tzinfo is None:
        raise ValueError("give a time zone, e.g. 2026-01-31T09:30:00+08:00")
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("date out of range") from exc


# Both SQLite and PostgreSQL store ids as signed 64-bit integers.
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]
PageNumber = Annotated[int, Field(ge=1, le=1_000_000)]
Moment = Annotated[datetime, AfterValidator(_to_utc)]
