"""API schemas of the process KPIs."""

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Schema

from guanxi.api_types import RecordId


class ProcessKpiQuery(Schema):
    """A period (both days included; without them the ``preset`` holding today) and how to
    group and narrow the figures."""

    period_start: date | None = None
    period_end: date | None = None
    preset: Literal["week", "month", "quarter"] = "month"
    group_by: Literal["owner", "team", "branch"] = "owner"
    branch: RecordId | None = None
    team: RecordId | None = None
    owner: RecordId | None = None


class TierContactsOut(Schema):
    value_tier: str
    customers: int
    required: float
    actual: int
    rate: float | None


class KpiCoverageOut(Schema):
    customers: int
    covered: int
    rate: float | None


class KpiContactsOut(Schema):
    tiers: list[TierContactsOut]
    contacts: int
    new_customers: int
    coverage: KpiCoverageOut


class TierPlannedOut(Schema):
    value_tier: str
    planned: int
    done: int
    rate: float | None


class KpiPlannedOut(Schema):
    planned: int
    done: int
    rate: float | None
    tiers: list[TierPlannedOut]


class LeadResponseOut(Schema):
    captured: int
    responded: int
    median_hours: float | None
    p90_hours: float | None


class StageFiguresOut(Schema):
    entered: int
    advanced: int
    conversion: float | None
    median_days: float | None


class KpiWinsOut(Schema):
    won: int
    lost: int
    win_rate: float | None
    won_amount: Decimal
    new_customer_won_amount: Decimal
    median_days_to_win: float | None


class KpiOverdueOut(Schema):
    next_steps: int
    tasks: int


class KpiLifecycleStepOut(Schema):
    from_status: str
    to_status: str
    left: int
    moved: int
    rate: float | None


class KpiLifecycleOut(Schema):
    steps: list[KpiLifecycleStepOut]


class KpiRevenueOut(Schema):
    revenue: Decimal
    new_customer_revenue: Decimal
    new_customer_share: float | None


class GroupKpisOut(Schema):
    key: int | None
    name: str
    contacts: KpiContactsOut
    planned: KpiPlannedOut
    leads: LeadResponseOut
    stages: dict[str, StageFiguresOut]
    wins: KpiWinsOut
    overdue: KpiOverdueOut
    lifecycle: KpiLifecycleOut
    revenue: KpiRevenueOut


class KpiRuleOut(Schema):
    value_tier: str
    label: str
    every_days: int
    kind: str


class KpiStageOut(Schema):
    id: int
    name: str
    order: int
    kind: str


class PipelineStagesOut(Schema):
    id: int
    name: str
    stages: list[KpiStageOut]


class ProcessKpisOut(Schema):
    period_start: date
    period_end: date
    days: int
    group_by: str
    rules: list[KpiRuleOut]
    pipelines: list[PipelineStagesOut]
    total: GroupKpisOut
    groups: list[GroupKpisOut]
