"""What the calendar API takes and returns."""

from datetime import datetime

from ninja import Field, Schema

from guanxi.api_types import Moment, RecordId


class RangeQuery(Schema):
    """A time range (at most 62 days) and whose calendar: yours, a colleague's, your team's."""

    start: Moment
    end: Moment
    user: RecordId | None = None
    team: bool = False


class BusyQuery(Schema):
    """Colleagues (comma-separated user IDs) and a time range."""

    user_ids: str = Field(max_length=1000, description="e.g. 12,15")
    start: Moment
    end: Moment


class EntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    status: str
    starts_at: datetime
    ends_at: datetime | None
    all_day: bool
    owner_id: int
    owner_name: str
    private: bool = Field(description="True: you may not read it; subject and customer hidden")
    subject: str
    customer_id: int | None
    customer_name: str
    lead_id: int | None = Field(description="The lead of an activity about a lead alone.")
    lead_name: str


class IntervalOut(Schema):
    starts_at: datetime
    ends_at: datetime


class BusyOut(Schema):
    user_id: int
    name: str
    busy: list[IntervalOut]


class MeetingIn(Schema):
    """A meeting or visit to schedule (open), with participants."""

    kind: str = Field(default="meeting", description="meeting or visit")
    customer_id: RecordId
    subject: str = Field(max_length=200)
    starts_at: Moment
    ends_at: Moment | None = Field(default=None, description="Default: an hour after the start.")
    channel: str = ""
    description: str = Field(default="", max_length=10000)
    participant_ids: list[RecordId] = Field(default=[], max_length=50)
    remind_minutes: int | None = Field(default=None, description="Default 15.")
    override_conflicts: bool = Field(
        default=False, description="Book even when it clashes (audited)."
    )


class ConflictOut(Schema):
    user_id: int
    name: str
    starts_at: datetime
    ends_at: datetime


class FeedUrlOut(Schema):
    url: str | None = Field(description="None: revoked (regenerate for a new one).")
    active: bool


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    activity_id: int | None
    created_at: datetime
    read_at: datetime | None
