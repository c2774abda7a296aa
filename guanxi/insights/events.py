"""The insights domain's events (see guanxi.core.events): what an analysis run publishes.

A run moves value tiers of many customers and rewrites every customer's scores. Tier moves
are one ``customer.value_tier_changed`` event per customer whose tier moved, written in one
INSERT ... SELECT; new scores are one ``analysis_run.finished`` event per run, since every
score changes every night: whoever reacts to scores (churn warnings that become retention
calls) reads the run's scores, which are indexed by run.
"""

from django.db.models import F
from django.db.models.expressions import RawSQL

from guanxi.core.events import DomainEvent, publish, publish_selected
from guanxi.customers.events import CustomerValueTierChanged
from guanxi.customers.models import Customer
from guanxi.insights.models import CustomerScore


class AnalysisRunFinished(DomainEvent):
    """An analysis run wrote its scores (and moved the value tiers it counts)."""

    event_name = "analysis_run.finished"
    customers: int
    churn_warnings: int
    tier_changes: int


def publish_tier_changes(*, run, candidates_sql: str) -> int:
    """Publish a tier change for each customer whose tier the run is about to move
    (call it before moving them: it reads the old tier); returns how many.

    ``candidates_sql`` selects the ids of the customers whose tier may move: the rest are
    not looked at.
    """
    moving = CustomerScore.objects.filter(
        run=run, customer_id__in=RawSQL(candidates_sql, ())
    ).exclude(customer__value_tier=F("value_tier"))
    rows = moving.values(
        record_id=F("customer_id"), from_tier=F("customer__value_tier"), to_tier=F("value_tier")
    )
    return publish_selected(
        CustomerValueTierChanged,
        actor=run.triggered_by,
        record_model=Customer,
        rows=rows,
        shared={"run_id": run.pk},
    )


def publish_run_finished(*, run) -> None:
    """Publish that ``run`` (finished, with its counts) wrote its results."""
    counts = {key: run.counts.get(key, 0) for key in ("customers", "churn_warnings")}
    finished = AnalysisRunFinished(**counts, tier_changes=run.counts.get("tier_changes", 0))
    publish(finished, actor=run.triggered_by, record=run)
