"""API request and response shapes for activities and my day."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from guanxi.api_types import BusinessDate, Moment, PageNumber, RecordId, Version


class ActivityIn(Schema):
    """An activity to log (done by default) or plan (status open; tasks are open), about
    a customer or a lead not converted yet (exactly one of ``customer_id``, ``lead_id``)."""

    kind: str = Field(description="visit, call, meeting, email, note or task")
    customer_id: RecordId | None = None
    lead_id: RecordId | None = Field(
        default=None,
        description="A lead not converted yet; a done visit, call, meeting or e-mail is its"
        " first response if it has none.",
    )
    opportunity_id: RecordId | None = Field(
        default=None, description="An open or closed opportunity of the same customer."
    )
    subject: str = Field(max_length=200)
    status: str | None = Field(default=None, description="open, done or cancelled")
    starts_at: Moment | None = Field(default=None, description="Default: now.")
    ends_at: Moment | None = None
    due_on: BusinessDate | None = None
    channel: str = ""
    description: str = Field(default="", max_length=10000)
    outcome: str = Field(default="", max_length=4000)
    participant_ids: list[RecordId] = Field(default=[], max_length=50)


class ActivityPatch(Schema):
    """Changes to an activity; ``version`` (or If-Match) is the version read."""

    version: Version | None = None
    kind: str | None = None
    opportunity_id: RecordId | None = Field(
        default=None, description="Another opportunity of the customer; null unlinks it."
    )
    subject: str | None = Field(default=None, max_length=200)
    status: str | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    due_on: BusinessDate | None = None
    channel: str | None = None
    description: str | None = Field(default=None, max_length=10000)
    outcome: str | None = Field(default=None, max_length=4000)
    participant_ids: list[RecordId] | None = Field(default=None, max_length=50)


class CompleteIn(Schema):
    """Mark done, with the outcome."""

    version: Version | None = None
    outcome: str = Field(default="", max_length=4000)


class RescheduleIn(Schema):
    """A new time and/or due date."""

    version: Version | None = None
    starts_at: Moment | None = None
    due_on: BusinessDate | None = None


class ActivityQuery(Schema):
    """Filters and paging of the activity list."""

    customer_id: RecordId | None = None
    opportunity_id: RecordId | None = None
    lead_id: RecordId | None = None
    kind: str = ""
    status: str = ""
    owner_id: RecordId | None = None
    starts_from: Moment | None = None
    starts_before: Moment | None = None
    due_before: BusinessDate | None = None
    page: PageNumber = 1
    page_size: int = Field(default=50, ge=1, le=200)


class AttachmentOut(Schema):
    """A file kept with an activity."""

    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime


class ActivityOut(Schema):
    """An activity."""

    id: int
    kind: str
    customer_id: int | None = Field(description="None while it is about a lead alone.")
    customer_name: str
    lead_id: int | None
    lead_name: str = Field(description="The lead's name while it is about the lead alone.")
    opportunity_id: int | None
    owner_id: int
    owner_name: str
    status: str
    starts_at: datetime
    ends_at: datetime | None
    due_on: date | None
    completed_at: datetime | None
    channel: str
    subject: str
    description: str
    outcome: str
    participant_ids: list[int]
    attachments: list[AttachmentOut]
    version: int
    created_at: datetime
    updated_at: datetime


class ActivityPageOut(Schema):
    """A page of activities."""

    results: list[ActivityOut]
    page: int
    page_size: int
    has_next: bool


class DayLine(Schema):
    """An activity on my day, with what may be done to it."""

    id: int
    kind: str
    kind_label: str
    status: str
    subject: str
    starts_at: datetime
    due_on: date | None
    customer_id: int | None
    customer_name: str
    lead_id: int | None = Field(description="Set while it is about a lead alone.")
    lead_name: str
    version: int
    can_complete: bool
    can_reschedule: bool


class ChurnLine(Schema):
    """A customer newly at churn risk."""

    customer_id: int
    customer_name: str
    severity: int
    reason: str


class NeglectedLine(Schema):
    """A top-tier customer past their contact rule."""

    customer_id: int
    customer_name: str
    value_tier: str
    value_tier_label: str
    last_contact: datetime | None
    rule_days: int
    rule_kind: str
    rule_kind_label: str


class BirthdayLine(Schema):
    """A customer born on this day (the birthday as the viewer may see it)."""

    customer_id: int
    customer_name: str
    birthday: str


class LeadLine(Schema):
    """A lead waiting for a first response (``escalated``: given to you as team lead)."""

    lead_id: int
    name: str
    company: str
    source_label: str
    owner_name: str
    created_at: datetime
    escalated: bool
    score: int
    version: int


class MyDayOut(Schema):
    """The viewer's day."""

    date: date
    agenda: list[DayLine]
    overdue: list[DayLine]
    churn: list[ChurnLine]
    neglected: list[NeglectedLine]
    leads: list[LeadLine]
    birthdays: list[BirthdayLine]


class ContactRuleIn(Schema):
    """A tier's contact rule; version 0 for a tier still on its default."""

    every_days: int = Field(ge=1, le=3650)
    kind: str = Field(description="visit, meeting or call")
    version: int = Field(default=0, ge=0, le=2**31 - 2)


class ContactRuleOut(Schema):
    """A contact rule in force."""

    value_tier: str
    every_days: int
    kind: str
    version: int
