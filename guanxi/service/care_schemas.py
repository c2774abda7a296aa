"""What the follow-up and care-reminder endpoints take and give."""

from datetime import date
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BaseModel

from guanxi.api_types import BusinessDate, RecordId, Version

OUTCOMES = Literal["reached", "not_reached", "declined", "issue_found"]
# 0: an occasion nothing was kept of yet.
KeptVersion = Annotated[int, Field(ge=0, le=2**31 - 2)]


class FollowUpOut(BaseModel):
    """A follow-up visit: why, for whom, by whom, when, and what came of it."""

    id: int
    customer_id: int
    customer_name: str
    reason: str
    reason_label: str
    activity_id: int
    owner_id: int
    due_on: date | None
    status: str
    outcome: str
    attempts: int
    case_id: int | None
    version: int


class OutcomeIn(Schema):
    """The outcome of a visit (an issue found needs the note: it opens a case)."""

    outcome: OUTCOMES
    note: str = Field(default="", max_length=2000)
    version: Version | None = None


class FollowUpQuery(Schema):
    status: Literal["open", "done", "cancelled", "all"] = "open"


class CoverageQuery(Schema):
    start: BusinessDate
    end: BusinessDate
    by: Literal["branch", "team", "owner"] = "owner"


class FollowUpCoverageOut(BaseModel):
    """Visits due in the period per branch, team or owner, and how they were done."""

    group_id: int | None
    due: int
    done: int
    on_time: int
    overdue: int
    coverage: float
    timeliness: float


class FollowUpRuleIn(Schema):
    days: int = Field(ge=1, le=3650)
    active: bool = True
    version: KeptVersion


class FollowUpRuleOut(BaseModel):
    reason: str
    days: int
    active: bool
    version: int


class CareLineOut(BaseModel):
    """One care occasion of a customer: what, when, and whether it was greeted."""

    kind: str
    kind_label: str
    customer_id: int
    customer_name: str
    on_date: date
    occasion: str
    detail: str
    status: str
    version: int
    birthday: str | None
    has_email: bool


class GreetIn(Schema):
    """Greet the customer for an occasion of the list."""

    customer_id: RecordId
    occasion: str = Field(min_length=1, max_length=80)
    language: Literal["zh-hans", "en"] = "zh-hans"
    version: KeptVersion = 0


class MarkedIn(Schema):
    customer_id: RecordId
    occasion: str = Field(min_length=1, max_length=80)
    version: KeptVersion = 0


class GreetingOut(BaseModel):
    """An occasion's greeting in a language as it would be sent: the administrator's, or
    the built-in one (``built_in``, version 0)."""

    kind: str
    language: str
    subject: str
    body: str
    built_in: bool
    version: int


class GreetingIn(Schema):
    """An administrator's greeting: placeholders ``{name}``, ``{occasion}``, ``{date}``,
    ``{product}``, ``{manager}``; version 0 replaces the built-in one."""

    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=4000)
    version: KeptVersion


class GreetingDayIn(Schema):
    """A day for holiday greetings besides China's public holidays."""

    day: BusinessDate
    name: str = Field(min_length=1, max_length=50)


class GreetingDayOut(BaseModel):
    id: int
    day: date
    name: str
