"""API request and response shapes for plans."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from guanxi.api_types import BusinessDate, Money, PageNumber, RecordId, Version

PERIODS = Literal["week", "month"]
KINDS = Literal["visit", "call", "meeting"]
CHANGES = Literal["lifecycle", "opportunity", "both", "none"]
METRICS = Literal["contacts", "visits", "new_customers", "new_opportunities", "won_amount"]


class PlanOut(Schema):
    """A plan as lists show it."""

    id: int
    owner_id: int
    owner_name: str
    branch_id: int
    period: str
    starts_on: date
    ends_on: date
    note: str
    reviewed_at: datetime | None
    version: int
    planned: int


class ReviewOut(Schema):
    """The weekly review of a planned contact."""

    change: str
    note: str
    reviewed_by: str
    reviewed_at: datetime


class ItemOut(Schema):
    """A planned contact; ``activity_id`` is the done activity that fulfilled it."""

    id: int
    customer_id: int
    customer_name: str
    kind: str
    planned_on: date | None
    purpose: str
    done: bool
    activity_id: int | None
    review: ReviewOut | None


class TargetOut(Schema):
    """A target, what was achieved in the period, and the share of it."""

    metric: str
    label: str
    target: Decimal
    actual: Decimal
    percent: int


class CompletionOut(Schema):
    """Planned contacts against done ones, and targets against actuals."""

    planned: int
    done: int
    percent: int
    targets: list[TargetOut]


class PlanDetailOut(PlanOut):
    """A plan with its planned contacts, who reviewed it, and its completion."""

    reviewed_by: str
    items: list[ItemOut]
    completion: CompletionOut


class PlanPageOut(Schema):
    """A page of plans."""

    results: list[PlanOut]
    page: int
    page_size: int
    has_next: bool


class PlanListQuery(Schema):
    """Filters and paging of the plan list."""

    period: PERIODS | Literal[""] = ""
    owner_id: RecordId | None = None
    starts_from: BusinessDate | None = None
    starts_until: BusinessDate | None = None
    page: PageNumber = 1
    page_size: int = Field(default=25, ge=1, le=100)


class PlanIn(Schema):
    """A new plan: the week or month holding ``day``; the owner defaults to you."""

    period: PERIODS
    day: BusinessDate
    owner_id: RecordId | None = None
    note: str = Field(default="", max_length=1000)
    targets: dict[METRICS, Money] = Field(default_factory=dict)


class PlanPatch(Schema):
    """Changes to a plan; ``targets`` replaces them all. ``version`` (or If-Match) is the
    version read."""

    version: Version | None = None
    note: str | None = Field(default=None, max_length=1000)
    targets: dict[METRICS, Money] | None = None


class ItemIn(Schema):
    """A contact to plan, with a customer of the owner's portfolio."""

    version: Version | None = None
    customer_id: RecordId
    kind: KINDS
    planned_on: BusinessDate | None = None
    purpose: str = Field(default="", max_length=300)


class VersionQuery(Schema):
    """The version read (or an If-Match header)."""

    version: Version | None = None


class ReviewLineIn(Schema):
    """The review of one planned contact."""

    item_id: RecordId
    change: CHANGES
    note: str = Field(default="", max_length=500)


class ReviewIn(Schema):
    """A week's review: one line per planned contact reviewed."""

    version: Version | None = None
    lines: list[ReviewLineIn] = Field(min_length=1, max_length=500)


class AgendaQuery(Schema):
    """Whose day (default: yours) and which (default: today)."""

    day: BusinessDate | None = None
    owner_id: RecordId | None = None


class AgendaItemOut(Schema):
    """A contact the week plan has for the day."""

    id: int
    customer_id: int
    customer_name: str
    kind: str
    purpose: str
    done: bool
    activity_id: int | None


class AgendaActivityOut(Schema):
    """An activity scheduled or logged that day."""

    id: int
    kind: str
    status: str
    subject: str
    starts_at: datetime
    customer_id: int
    customer_name: str


class AgendaOut(Schema):
    """A daily agenda: the week plan's contacts for the day and the day's activities."""

    day: date
    plan_id: int | None
    planned: list[AgendaItemOut]
    activities: list[AgendaActivityOut]


class TierQuery(Schema):
    """Whose planned and actual contacts, over which days (both included)."""

    first: BusinessDate
    last: BusinessDate
    owner_id: RecordId | None = None
    team_id: RecordId | None = None
    branch_id: RecordId | None = None
    period: PERIODS = "week"


class TierOut(Schema):
    """Planned, done and actual contacts of one value tier."""

    tier: str
    label: str
    planned: int
    done: int
    actual: int
    percent: int
