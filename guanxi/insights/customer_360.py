"""What insights adds to the customer 360 page: a scores panel and timeline events."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi.compiled_query import CompiledQuery
from guanxi.customers.models import ValueTier
from guanxi.customers.panels import Panel, register_360_panel
from guanxi.customers.timeline import TIMELINE_LIMIT, TimelineEvent, register_timeline_source
from guanxi.insights import selectors
from guanxi.insights.models import CustomerScore, RunStatus

PANEL_TEMPLATE = "insights/_customer_panel.html"


def scores_panel(viewer, customer_id: int) -> Panel | None:
    """The latest score, pyramid level, segment, P(alive), CLV, churn warning, cross-sell."""
    insight = selectors.latest_insight(customer_id)
    return Panel(PANEL_TEMPLATE, insight) if insight else None


@CompiledQuery
def _finished_scores(customer_id: int) -> QuerySet:
    # Only what the events show: a run's overview is a large JSON document, and decoding it
    # for every run on every 360 read once cost more than the rest of this source. One run
    # more than the timeline can show tells whether the oldest one shown changed anything.
    return (
        CustomerScore.objects.filter(customer_id=customer_id, run__status=RunStatus.FINISHED)
        .order_by("-run__finished_at", "-run_id")
        .values(
            *("run__finished_at", "score", "pyramid_level", "rfm_segment", "value_tier"),
            *("churn_warning", "churn_severity", "churn_reason_en", "churn_reason_zh"),
        )[: TIMELINE_LIMIT + 1]
    )


def score_events(viewer, customer, limit: int) -> list[TimelineEvent]:
    """Runs that changed what the customer is: a new pyramid level, segment or value tier
    ("score updated"), and churn warnings as they are raised.

    Runs that changed nothing make no event: a nightly run would otherwise bury every
    other event of the timeline within weeks.
    """
    scores = _finished_scores.rows(customer_id=customer.pk)[: limit + 1]
    events = []
    for i, score in enumerate(scores[:limit]):
        before = scores[i + 1] if i + 1 < len(scores) else None  # the run before this one
        if before is None or _standing(score) != _standing(before):
            events.append(_score_event(score))
        if score["churn_warning"] and not (before and before["churn_warning"]):
            events.append(_churn_event(score))
    return events[:limit]


def _standing(score: dict) -> tuple[str, str, str]:
    return (score["pyramid_level"], score["rfm_segment"], score["value_tier"])


def _score_event(score: dict) -> TimelineEvent:
    labels = (
        selectors.level_label(score["pyramid_level"]) if score["pyramid_level"] else "",
        selectors.segment_label(score["rfm_segment"]) if score["rfm_segment"] else "",
        str(ValueTier(score["value_tier"]).label) if score["value_tier"] else "",
    )
    return TimelineEvent(
        at=score["run__finished_at"],
        kind="score",
        title=_("Score updated: %(score)s") % {"score": _number(score["score"])},
        detail=" · ".join(label for label in labels if label),
    )


def _churn_event(score: dict) -> TimelineEvent:
    severity = score["churn_severity"]
    return TimelineEvent(
        at=score["run__finished_at"],
        kind="churn_warning",
        title=_("Churn warning (severity %(severity)s)") % {"severity": severity},
        detail=selectors.in_language(score["churn_reason_en"], score["churn_reason_zh"]),
    )


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


register_360_panel("insights.scores", scores_panel)
register_timeline_source("insights.scores", score_events)
