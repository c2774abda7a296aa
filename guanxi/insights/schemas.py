"""API shapes of analysis runs and customer scores."""

from datetime import date, datetime

from ninja import Field, Schema


class RunOut(Schema):
    """An analysis run: when, how, and what it found in numbers."""

    id: int
    status: str
    trigger: str
    triggered_by: str | None
    queued_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    engine: str
    as_of: date | None
    counts: dict
    seconds_analyse: float | None
    seconds_write: float | None
    error: str

    @staticmethod
    def resolve_triggered_by(run) -> str | None:
        """The user name of whoever started the run, if a user did."""
        return run.triggered_by.get_username() if run.triggered_by else None


class RunQueuedOut(Schema):
    """A run accepted for the background worker."""

    id: int
    status: str


class ScoreOut(Schema):
    """One run's findings about one customer."""

    run_id: int
    run_finished_at: datetime | None
    rfm_segment: str
    r_score: int | None
    f_score: int | None
    m_score: int | None
    pyramid_level: str
    p_alive: float | None
    expected_purchases: float | None
    clv: float | None
    total_revenue: float | None
    revenue_12m: float | None
    churn_warning: bool
    churn_severity: int
    churn_reason_codes: list[str]
    churn_reason_en: str
    churn_reason_zh: str
    churn_probability: float | None = Field(
        description="1 − P(alive): the probability that the customer has stopped buying"
    )
    value_at_risk: float | None = Field(
        description="churn_probability × the configured value (revenue_12m by default)"
    )
    churn_rank: int | None = Field(
        description="rank among the run's churn warnings by value at risk (1 = call first)"
    )
    churn_priority: bool | None = Field(
        description="on the run's call list (null for runs from before the call list)"
    )
    score: float | None
    rank_company: int | None
    rank_branch: int | None
    value_tier: str

    @staticmethod
    def resolve_run_finished_at(score) -> datetime | None:
        """When the run that computed the score finished."""
        return score.run.finished_at
