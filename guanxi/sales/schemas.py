"""API request and response shapes for pipelines and opportunities."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from guanxi.api_types import BusinessDate, Money, PageNumber, RecordId, Version


class StageOut(Schema):
    """One stage of a pipeline."""

    id: int
    code: str
    order: int
    name: str
    name_en: str
    name_zh: str
    probability: int
    kind: str


class PipelineOut(Schema):
    """A pipeline with its stages in order."""

    id: int
    code: str
    name: str
    name_en: str
    name_zh: str
    business_line: str
    is_default: bool
    stages: list[StageOut]


class MemberOut(Schema):
    """A colleague on an opportunity's team."""

    user_id: int
    name: str
    share: Decimal
    role: str


class OpportunityOut(Schema):
    """An opportunity as lists and reads show it."""

    id: int
    name: str
    customer_id: int
    customer_name: str
    pipeline_id: int
    stage_id: int
    stage_name: str
    status: str
    owner_id: int
    owner_name: str
    branch_id: int
    amount: Decimal
    weighted_amount: Decimal
    product_id: int | None
    expected_close_date: date | None
    next_step: str
    next_step_due: date | None
    probability: int
    loss_reason: str
    loss_note: str
    source_suggestion_id: int | None
    closed_at: datetime | None
    created_at: datetime
    version: int


class OpportunityDetailOut(OpportunityOut):
    """An opportunity with its team and the stages it may move to next."""

    team: list[MemberOut]
    next_stage_ids: list[int]


class OpportunityPageOut(Schema):
    """A page of opportunities."""

    results: list[OpportunityOut]
    page: int
    page_size: int
    has_next: bool


class OpportunityIn(Schema):
    """A new opportunity; pipeline, stage, owner and probability have defaults."""

    name: str = Field(min_length=1, max_length=200)
    customer_id: RecordId
    pipeline_id: RecordId | None = None
    stage_id: RecordId | None = None
    owner_id: RecordId | None = None
    amount: Money = Field(default=Decimal(0), ge=0, description="In yuan.")
    product_id: RecordId | None = None
    expected_close_date: BusinessDate | None = None
    next_step: str = Field(default="", max_length=300)
    next_step_due: BusinessDate | None = None
    probability: int | None = Field(default=None, ge=0, le=100)


class OpportunityPatch(Schema):
    """Changes to an opportunity; ``version`` (or an If-Match header) is the version read."""

    version: Version | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    owner_id: RecordId | None = None
    amount: Money | None = Field(default=None, ge=0)
    product_id: RecordId | None = None
    expected_close_date: BusinessDate | None = None
    next_step: str | None = Field(default=None, max_length=300)
    next_step_due: BusinessDate | None = None
    probability: int | None = Field(default=None, ge=0, le=100)


class StageMoveIn(Schema):
    """A move to another stage; a lost stage needs a loss reason."""

    stage_id: RecordId
    version: Version | None = None
    loss_reason: str = Field(default="", max_length=16)
    loss_note: str = Field(default="", max_length=500)


class VersionIn(Schema):
    """The version read (or send an If-Match header)."""

    version: Version | None = None


class LoseIn(Schema):
    """Why the opportunity was lost: a reason code, and a note."""

    loss_reason: str = Field(max_length=16)
    loss_note: str = Field(default="", max_length=500)
    version: Version | None = None


class MemberIn(Schema):
    """A colleague and their contribution share in percent."""

    user_id: RecordId
    share: Decimal = Field(gt=0, le=100, decimal_places=2)
    role: str = Field(default="", max_length=100)


class TeamIn(Schema):
    """The whole team; shares add up to 100 (an empty list clears the team)."""

    members: list[MemberIn] = Field(max_length=50)
    version: Version | None = None


class TeamOut(Schema):
    """The team as saved, and the opportunity's new version."""

    members: list[MemberOut]
    version: int


class FromSuggestionIn(Schema):
    """A cross-sell suggestion to work as an opportunity; the other fields are optional."""

    suggestion_id: RecordId
    name: str | None = Field(default=None, min_length=1, max_length=200)
    amount: Money | None = Field(default=None, ge=0)
    expected_close_date: BusinessDate | None = None
    owner_id: RecordId | None = None


class ForecastQuery(Schema):
    """How to group the forecast, and which opportunities it counts."""

    by: Literal["month", "owner", "team", "branch"] = "month"
    close_from: BusinessDate | None = None
    close_to: BusinessDate | None = None
    pipeline_id: RecordId | None = None


class ForecastRowOut(Schema):
    """One group of the forecast."""

    key: str
    label: str
    count: int
    amount: Decimal
    weighted: Decimal


class ForecastOut(Schema):
    """The weighted forecast and its totals."""

    by: str
    rows: list[ForecastRowOut]
    count: int
    amount: Decimal
    weighted: Decimal


class OpportunityListQuery(Schema):
    """Filters, search and paging of the opportunity list."""

    q: str = Field(default="", max_length=100)
    pipeline_id: RecordId | None = None
    stage_id: RecordId | None = None
    status: Literal["open", "won", "lost", ""] = ""
    owner_id: RecordId | None = None
    customer_id: RecordId | None = None
    branch_id: RecordId | None = None
    product_id: RecordId | None = None
    close_from: BusinessDate | None = None
    close_to: BusinessDate | None = None
    next_step_due_before: BusinessDate | None = None
    page: PageNumber = 1
    page_size: int = Field(default=25, ge=1, le=100)
