"""API request and response shapes for leads."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from guanxi.api_types import BusinessDate, Money, PageNumber, RecordId, Version

SOURCES = Literal["walk_in", "phone", "web_form", "referral", "campaign", "event"]
STATUSES = Literal["new", "contacted", "qualified", "converted", "disqualified", "kept"]


class LeadOut(Schema):
    """A lead as lists show it (no personal values)."""

    id: int
    name: str
    company: str
    industry: str
    branch_id: int
    territory: str
    source: str
    referrer_id: int | None
    campaign: str
    owner_id: int | None
    owner_name: str
    status: str
    status_reason: str
    score: int
    first_response_at: datetime | None
    escalated_at: datetime | None
    escalated_to_id: int | None
    customer_id: int | None
    opportunity_id: int | None
    converted_at: datetime | None
    created_at: datetime
    version: int


class ScoreReasonOut(Schema):
    """One rule that counted towards the score."""

    code: str
    label: str
    points: int


class HistoryOut(Schema):
    """A status change or an assignment."""

    at: datetime
    kind: str
    by: str
    change: str
    reason: str


class LeadDetailOut(LeadOut):
    """A lead with its personal values as you may see them (``null``: hidden), its score
    reasons, history, and the statuses it may move to."""

    phone: str | None
    email: str | None
    id_number: str | None
    note: str
    score_reasons: list[ScoreReasonOut]
    history: list[HistoryOut]
    next_statuses: list[str]


class LeadPageOut(Schema):
    """A page of leads, and how many match in all."""

    results: list[LeadOut]
    page: int
    page_size: int
    has_next: bool
    count: int


class LeadListQuery(Schema):
    """Search (name, company, or exactly a phone, e-mail or ID number), filters, paging."""

    q: str = Field(default="", max_length=100)
    status: STATUSES | Literal[""] = ""
    source: SOURCES | Literal[""] = ""
    owner_id: RecordId | None = None
    branch_id: RecordId | None = None
    page: PageNumber = 1
    page_size: int = Field(default=25, ge=1, le=100)


class LeadIn(Schema):
    """A new lead; the branch defaults to yours, the owner to you or the assignment rules."""

    name: str = Field(min_length=1, max_length=100)
    source: SOURCES
    phone: str = Field(default="", max_length=30)
    email: str = Field(default="", max_length=254)
    id_number: str = Field(default="", max_length=30)
    company: str = Field(default="", max_length=200)
    industry: str = Field(default="", max_length=100)
    branch_id: RecordId | None = None
    territory: str = Field(default="", max_length=100)
    referrer_id: RecordId | None = None
    campaign: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=1000)
    owner_id: RecordId | None = None


class LeadPatch(Schema):
    """Changes to a lead; ``version`` (or an If-Match header) is the version read."""

    version: Version | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    source: SOURCES | None = None
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254)
    id_number: str | None = Field(default=None, max_length=30)
    company: str | None = Field(default=None, max_length=200)
    industry: str | None = Field(default=None, max_length=100)
    territory: str | None = Field(default=None, max_length=100)
    referrer_id: RecordId | None = None
    campaign: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=1000)


class StatusIn(Schema):
    """A status move; disqualifying or keeping for later needs a reason."""

    status: str = Field(max_length=16)
    reason: str = Field(default="", max_length=500)
    version: Version | None = None


class AssignIn(Schema):
    """Give the lead to an owner, or round-robin to a member of a team (one of the two)."""

    owner_id: RecordId | None = None
    team_id: RecordId | None = None
    reason: str = Field(default="", max_length=300)
    version: Version | None = None


class OpportunityWishIn(Schema):
    """The opportunity to open with the conversion."""

    name: str = Field(default="", max_length=200)
    amount: Money = Field(default=Decimal(0), ge=0, description="In yuan.")
    product_id: RecordId | None = None
    expected_close_date: BusinessDate | None = None


class ConvertIn(Schema):
    """Convert the lead; with ``opportunity``, open one too."""

    version: Version | None = None
    opportunity: OpportunityWishIn | None = None


class ConvertOut(Schema):
    """What the conversion did."""

    lead: LeadOut
    customer_id: int
    customer_created: bool
    opportunity_id: int | None


class WebFormIn(Schema):
    """A lead sent from a web form: the form's code and secret token, and what was typed."""

    form: str = Field(max_length=64)
    token: str = Field(max_length=200)
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(default="", max_length=30)
    email: str = Field(default="", max_length=254)
    company: str = Field(default="", max_length=200)
    campaign: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=1000)


class WebFormOut(Schema):
    """The lead received (its id only: the sender is nobody we know)."""

    id: int


class FieldErrorOut(Schema):
    """One refused field."""

    field: str
    message: str


class ErrorsOut(Schema):
    """Refused fields."""

    detail: list[FieldErrorOut]


class ScoreRuleOut(Schema):
    """A scoring rule and its points."""

    code: str
    label: str
    points: int


class ScoreRulesIn(Schema):
    """New points per rule code (rules not named keep theirs)."""

    points: dict[str, int]


class AssignmentRuleIn(Schema):
    """New leads of the branch (and industry and territory, when given) go round-robin to
    the team; the lowest priority first."""

    branch_id: RecordId
    industry: str = Field(default="", max_length=100)
    territory: str = Field(default="", max_length=100)
    team_id: RecordId
    priority: int = Field(default=100, ge=0, le=32767)


class AssignmentRuleOut(AssignmentRuleIn):
    """An assignment rule."""

    id: int


class AssignmentRulesIn(Schema):
    """Every assignment rule (they replace the current ones)."""

    rules: list[AssignmentRuleIn] = Field(max_length=500)


class AssigneeIn(Schema):
    """A colleague's absence (no new leads until after this date) and capacity."""

    absent_until: BusinessDate | None = None
    max_open_leads: int | None = Field(default=None, ge=0, le=100_000)


class AssigneeOut(AssigneeIn):
    """A colleague's lead settings."""

    user_id: int
