"""The shapes of the desk's analyses and of corrective actions in the API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from guanxi.api_types import RecordId


class PeriodQuery(Schema):
    """Days ``[start, end)``; the last 365 days when not given."""

    start: date | None = None
    end: date | None = None


class RepeatQuery(PeriodQuery):
    by: Literal["customer", "product"] = "customer"


class ResolutionQuery(PeriodQuery):
    by: Literal["category", "department", "branch", "agent"] = "category"


class ParetoOut(Schema):
    root_cause_id: int
    label: str
    complaints: int
    cost: Decimal
    share: float = Field(description="Of the period's complaints with a root cause.")
    cumulative: float = Field(description="This cause and every more frequent one.")
    cost_share: float


class RepeatOut(Schema):
    id: int
    label: str
    complaints: int


class RecurrenceOut(Schema):
    corrective_action_id: int
    root_cause_id: int
    root_cause: str
    taken_on: date
    description: str
    before: int = Field(description="Complaints with the cause in the 90 days before.")
    after: int = Field(description="Complaints with the cause in the 90 days after.")
    change: float | None


class ResolutionOut(Schema):
    key: str | int | None
    label: str
    cases: int
    mean_hours: float
    within_target: float = Field(description="Share resolved by their resolution deadline.")


class DepartmentOut(Schema):
    department: str
    label: str
    handled: int = Field(description="Cases given to the department in the period.")
    mean_hours: float = Field(description="Mean hours until passed on, resolved, or now.")
    holding: int = Field(description="Of those, still with the department.")


class NeedsSeriesOut(Schema):
    category: str
    counts: list[int]


class NeedsOut(Schema):
    months: list[date]
    series: list[NeedsSeriesOut]


class CorrectiveActionIn(Schema):
    root_cause_id: RecordId
    taken_on: date
    description: str = Field(max_length=1000)


class CorrectiveActionOut(Schema):
    id: int
    root_cause_id: int
    taken_on: date
    description: str
    created_at: datetime
