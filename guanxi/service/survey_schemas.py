"""What the surveys API takes and returns."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from guanxi.api_types import PageNumber, RecordId, Version

KINDS = Literal["after_case", "periodic"]
LANGUAGES = Literal["zh-hans", "en"]
GROUPS = Literal["all", "branch", "team", "agent", "product"]
Question = str


class ElementIn(Schema):
    """A service element the customer rates for importance and performance (1–5)."""

    code: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=100)


class SurveyIn(Schema):
    """A survey: its name and questions in Chinese and English; a blank question is not
    asked."""

    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=100)
    kind: KINDS
    active: bool = True
    csat_question: str = Field(default="", max_length=300)
    csat_question_en: str = Field(default="", max_length=300)
    nps_question: str = Field(default="", max_length=300)
    nps_question_en: str = Field(default="", max_length=300)
    comment_question: str = Field(default="", max_length=300)
    comment_question_en: str = Field(default="", max_length=300)
    elements: list[ElementIn] = Field(default_factory=list, max_length=20)
    valid_days: int = Field(default=14, ge=1, le=365)
    every_days: int | None = Field(
        default=None, ge=7, le=730,
        description="A periodic survey: invite each customer at most once in this many days "
        "(the daily `guanxi invite-surveys`); empty: only when someone invites",
    )  # fmt: skip
    daily_limit: int = Field(default=200, ge=1, le=10_000)


class SurveyPatch(Schema):
    """Changes to a survey: the fields given; carries the version read (or If-Match)."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    kind: KINDS | None = None
    active: bool | None = None
    csat_question: str | None = Field(default=None, max_length=300)
    csat_question_en: str | None = Field(default=None, max_length=300)
    nps_question: str | None = Field(default=None, max_length=300)
    nps_question_en: str | None = Field(default=None, max_length=300)
    comment_question: str | None = Field(default=None, max_length=300)
    comment_question_en: str | None = Field(default=None, max_length=300)
    elements: list[ElementIn] | None = Field(default=None, max_length=20)
    valid_days: int | None = Field(default=None, ge=1, le=365)
    every_days: int | None = Field(default=None, ge=7, le=730)
    daily_limit: int | None = Field(default=None, ge=1, le=10_000)
    version: Version | None = None


class SurveyOut(Schema):
    id: int
    name: str
    name_en: str
    kind: str
    active: bool
    csat_question: str
    csat_question_en: str
    nps_question: str
    nps_question_en: str
    comment_question: str
    comment_question_en: str
    elements: list[ElementIn]
    valid_days: int
    every_days: int | None
    daily_limit: int
    version: int


class InvitationIn(Schema):
    """Invite a customer you see (about a case of theirs you see) to answer a survey."""

    template_id: RecordId
    customer_id: RecordId
    case_id: RecordId | None = None
    language: LANGUAGES = "zh-hans"
    mail: bool = Field(
        default=False, description="E-mail the link to the customer (who must have an address)"
    )


class PeriodicInvitationIn(Schema):
    """Invite customers you see to a periodic survey (those with an open invitation to it
    are skipped)."""

    template_id: RecordId
    customer_ids: list[RecordId] = Field(min_length=1, max_length=500)
    language: LANGUAGES = "zh-hans"
    mail: bool = Field(default=False, description="E-mail the link to those with an address")


class InvitationOut(Schema):
    id: int
    template_id: int
    customer_id: int
    case_id: int | None
    language: str
    state: str = Field(description="open, answered or expired")
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None


class InvitationCreatedOut(InvitationOut):
    link: str = Field(description="The public link to send the customer; shown only now.")
    mailed: bool = Field(description="Whether the link was e-mailed to the customer.")


class InvitationPageOut(Schema):
    results: list[InvitationOut]
    count: int
    page: int
    page_size: int
    has_next: bool


class InvitationListQuery(Schema):
    customer_id: RecordId | None = None
    case_id: RecordId | None = None
    template_id: RecordId | None = None
    page: PageNumber = 1
    page_size: int = Field(default=25, ge=1, le=100)


class ElementRatingOut(Schema):
    element: str
    importance: int
    performance: int


class ResponseOut(Schema):
    id: int
    invitation_id: int
    template_id: int
    customer_id: int
    customer_name: str
    case_id: int | None
    answered_at: datetime
    csat: int | None
    nps: int | None
    comment: str
    elements: list[ElementRatingOut]
    branch_id: int | None
    team_id: int | None
    agent_id: int | None
    product_id: int | None
    follow_up_case_id: int | None


class ResponsePageOut(Schema):
    results: list[ResponseOut]
    count: int
    page: int
    page_size: int
    has_next: bool


class ResponseListQuery(Schema):
    customer_id: RecordId | None = None
    case_id: RecordId | None = None
    template_id: RecordId | None = None
    branch_id: RecordId | None = None
    agent_id: RecordId | None = None
    page: PageNumber = 1
    page_size: int = Field(default=25, ge=1, le=100)


class ReportQuery(Schema):
    group_by: GROUPS = "all"
    start: date | None = None
    end: date | None = None


class SurveyScoreOut(Schema):
    month: date | None
    group_id: int | None
    group_name: str
    responses: int
    csat: float | None
    nps: float | None = Field(description="% promoters (9–10) − % detractors (0–6)")
    promoters: int
    detractors: int


class ElementScoreOut(Schema):
    element: str
    label: str
    importance: float
    performance: float
    gap: float
    ratings: int


class ReportOut(Schema):
    scores: list[SurveyScoreOut]
    elements: list[ElementScoreOut]
