"""What the working-calendar and SLA-policy API takes and returns."""

from datetime import date

from ninja import Field, Schema

from guanxi.api_types import BusinessDate, RecordId, Version

CLOCK = "HH:MM, e.g. 09:00 (an end may be 24:00)"


class PeriodIn(Schema):
    """A working period of one day, wall-clock times of the calendar's zone."""

    start: str = Field(max_length=5, description=CLOCK)
    end: str = Field(max_length=5, description=CLOCK)


class WeeklyPeriodIn(PeriodIn):
    """A working period of a weekday."""

    weekday: int = Field(description="0 Monday … 6 Sunday")


class ExceptionIn(Schema):
    """A date of the calendar an administrator sets: off, or working its own periods."""

    day: BusinessDate
    working: bool = False
    periods: list[PeriodIn] = Field(default=[], max_length=50)
    note: str = Field(default="", max_length=200)


class CalendarIn(Schema):
    """A new working calendar."""

    name: str = Field(max_length=100)
    time_zone: str = Field(default="Asia/Shanghai", max_length=64, description="IANA zone")
    periods: list[WeeklyPeriodIn] = Field(max_length=50)
    public_holidays: bool = Field(
        default=True, description="China's public holidays and make-up working days apply."
    )
    exceptions: list[ExceptionIn] = Field(default=[], max_length=1000)


class CalendarPatch(Schema):
    """Changes to a calendar: the fields given; ``periods`` and ``exceptions`` replace the
    whole list. Carries the version read (or If-Match)."""

    name: str | None = Field(default=None, max_length=100)
    time_zone: str | None = Field(default=None, max_length=64)
    periods: list[WeeklyPeriodIn] | None = Field(default=None, max_length=50)
    public_holidays: bool | None = None
    exceptions: list[ExceptionIn] | None = Field(default=None, max_length=1000)
    version: Version | None = None


class WeeklyPeriodOut(Schema):
    weekday: int
    start: str
    end: str


class PeriodOut(Schema):
    start: str
    end: str


class ExceptionOut(Schema):
    day: date
    working: bool
    periods: list[PeriodOut]
    note: str


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    public_holidays: bool
    periods: list[WeeklyPeriodOut]
    exceptions: list[ExceptionOut]
    uncovered_years: list[int] = Field(
        description="This year and the next without holiday data: enter their official "
        "schedule, or deadlines reaching them are refused."
    )
    version: int


class OfficialDayIn(Schema):
    day: BusinessDate
    name: str = Field(max_length=50)


class OfficialScheduleIn(Schema):
    """A year's public holidays and make-up working days; version 0 for a year never
    entered, else the version read (or If-Match)."""

    holidays: list[OfficialDayIn] = Field(max_length=200)
    workdays: list[OfficialDayIn] = Field(default=[], max_length=200)
    version: int | None = Field(default=None, ge=0, le=2**31 - 2)


class OfficialDayOut(Schema):
    day: date
    name: str


class OfficialScheduleOut(Schema):
    year: int
    holidays: list[OfficialDayOut]
    workdays: list[OfficialDayOut]
    version: int


class CoverageOut(Schema):
    """Which years China's holiday data covers."""

    package_first: int = Field(description="The chinese-calendar package's first year.")
    package_last: int = Field(description="... and its last.")
    entered_years: list[int] = Field(description="Years administrators entered.")
    uncovered_years: list[int] = Field(description="This year and the next, uncovered.")


class SlaPolicyIn(Schema):
    """A new SLA policy: targets in working minutes for a case type, priority and customer
    value tier (blank: any tier)."""

    case_type: str = Field(max_length=32)
    priority: str = Field(max_length=16)
    value_tier: str = Field(default="", max_length=16)
    first_response_minutes: int
    resolution_minutes: int
    calendar_id: RecordId


class SlaPolicyPatch(Schema):
    """Changes to a policy; carries the version read (or If-Match)."""

    case_type: str | None = Field(default=None, max_length=32)
    priority: str | None = Field(default=None, max_length=16)
    value_tier: str | None = Field(default=None, max_length=16)
    first_response_minutes: int | None = None
    resolution_minutes: int | None = None
    calendar_id: RecordId | None = None
    version: Version | None = None


class SlaPolicyOut(Schema):
    id: int
    case_type: str
    case_type_label: str
    priority: str
    priority_label: str
    value_tier: str
    value_tier_label: str
    first_response_minutes: int
    resolution_minutes: int
    calendar_id: int
    calendar_name: str
    version: int
