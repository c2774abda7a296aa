"""What the cases API takes and returns."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from guanxi.api_types import Moment, PageNumber, RecordId, Version

CASE_TYPES = Literal["complaint", "inquiry", "service_request", "praise", "internal_request"]
CHANNELS = Literal["branch", "hotline", "online", "app", "email", "letter"]
PRIORITIES = Literal["low", "normal", "high", "urgent"]
STATES = Literal["new", "acknowledged", "in_progress", "waiting", "resolved", "confirmed", "closed"]
SLA_STATUSES = Literal["on_time", "due_soon", "breached", "met", "paused", "none"]


class CaseIn(Schema):
    """A new case about a customer; the queue defaults to the category's, else to the
    department owning the case type."""

    customer_id: RecordId
    case_type: CASE_TYPES
    channel: CHANNELS
    priority: PRIORITIES = "normal"
    subject: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10000)
    category_id: RecordId | None = None
    product_id: RecordId | None = None
    queue_id: RecordId | None = None
    owner_id: RecordId | None = None


class CasePatch(Schema):
    """Changes to a case: the fields given; carries the version read (or If-Match)."""

    subject: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10000)
    priority: PRIORITIES | None = None
    channel: CHANNELS | None = None
    category_id: RecordId | None = None
    product_id: RecordId | None = None
    version: Version | None = None


class TransitionIn(Schema):
    """A move to another state, with what the move needs (see the workflow)."""

    state: STATES
    version: Version | None = None
    note: str = Field(default="", max_length=1000)
    on_the_spot: bool = Field(default=False, description="new → closed: solved on the spot.")
    promised_reply_at: Moment | None = Field(
        default=None, description="Acknowledging a complaint: the reply time promised."
    )
    root_cause_id: RecordId | None = Field(default=None, description="Resolving a complaint.")
    customer_confirmed: bool = False
    contact_attempted: bool = Field(
        default=False, description="Resolving: an attempt to reach the customer was made."
    )
    compensation: Decimal | None = Field(
        default=None, ge=0, lt=10**12, decimal_places=2,
        description="Resolving: what the case cost (refunds, fees waived, goodwill paid).",
    )  # fmt: skip


class CaseAssignIn(Schema):
    """Give the case to an agent, a queue, or both; carries the version."""

    owner_id: RecordId | None = None
    queue_id: RecordId | None = None
    reason: str = Field(default="", max_length=500)
    version: Version | None = None


class CaseListQuery(Schema):
    state: STATES | None = None
    case_type: CASE_TYPES | None = None
    priority: PRIORITIES | None = None
    queue_id: RecordId | None = None
    owner_id: RecordId | None = None
    customer_id: RecordId | None = None
    sla_status: SLA_STATUSES | None = None
    open_only: bool = Field(default=False, description="Only open cases: the desk's queue.")
    page: PageNumber = 1
    page_size: int = Field(default=25, ge=1, le=100)


class SlaOut(Schema):
    """The case's SLA clock."""

    policy_id: int | None
    status: str
    status_label: str
    minutes_left: int | None = Field(description="Working minutes left (negative: overdue).")
    first_response_due: datetime | None
    resolution_due: datetime | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    paused_since: datetime | None
    paused_minutes: int = Field(description="Working minutes paused waiting on the customer.")


class CaseOut(Schema):
    id: int
    number: str
    case_type: str
    case_type_label: str
    channel: str
    priority: str
    state: str
    state_label: str
    subject: str
    customer_id: int
    customer_name: str
    value_tier_rank: int
    category_id: int | None
    category_name: str
    product_id: int | None
    owner_id: int | None
    owner_name: str
    queue_id: int | None
    queue_name: str
    branch_id: int | None
    created_at: datetime
    updated_at: datetime
    version: int
    sla: SlaOut


class TransitionOut(Schema):
    from_state: str
    to_state: str
    note: str
    at: datetime
    by: str


class AssignmentOut(Schema):
    from_owner_id: int | None
    to_owner_id: int | None
    from_queue_id: int | None
    to_queue_id: int | None
    reason: str
    at: datetime


class CaseDetailOut(CaseOut):
    description: str
    on_the_spot: bool
    promised_reply_at: datetime | None
    root_cause_id: int | None
    resolution_note: str
    customer_confirmed: bool
    contact_attempted_at: datetime | None
    escalation_level: int
    next_states: list[str]
    transitions: list[TransitionOut]
    assignments: list[AssignmentOut]


class CasePageOut(Schema):
    results: list[CaseOut]
    count: int = Field(description="The cases that match, counted up to 1,000.")
    count_is_lower_bound: bool = Field(
        default=False, description="More than 1,000 match: count is a lower bound."
    )
    page: int
    page_size: int
    has_next: bool


class CategoryIn(Schema):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=100)
    parent_id: RecordId | None = None
    default_queue_id: RecordId | None = None


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    parent_id: int | None
    default_queue_id: int | None


class RootCauseIn(Schema):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=100)
    parent_id: RecordId | None = None


class RootCauseOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    parent_id: int | None


class CaseAttachmentOut(Schema):
    """A file kept with a case."""

    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
