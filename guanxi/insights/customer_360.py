"""What insights adds to the customer 360 page: a scores panel and timeline events."""

from django.utils.translation import gettext as _

from guanxi.customers.models import ValueTier
from guanxi.customers.panels import Panel, register_360_panel
from guanxi.customers.timeline import TimelineEvent, register_timeline_source
from guanxi.insights import selectors
from guanxi.insights.models import CustomerScore, RunStatus

PANEL_TEMPLATE = "insights/_customer_panel.html"


def scores_panel(viewer, customer_id: int) -> Panel | None:
    """The latest score, pyramid level, segment, P(alive), CLV, churn warning, cross-sell."""
    insight = selectors.latest_insight(customer_id)
    return Panel(PANEL_TEMPLATE, insight) if insight else None


def score_events(viewer, customer, limit: int) -> list[TimelineEvent]:
    """Runs that changed what the customer is: a new pyramid level, segment or value tier
    ("score updated"), and churn warnings as they are raised.

    Runs that changed nothing make no event: a nightly run would otherwise bury every
    other event of the timeline within weeks.
    """
    scores = list(
        CustomerScore.objects.filter(customer=customer, run__status=RunStatus.FINISHED)
        .select_related("run")
        .order_by("-run__finished_at", "-run_id")[: limit + 1]
    )
    events = []
    for i, score in enumerate(scores[:limit]):
        before = scores[i + 1] if i + 1 < len(scores) else None  # the run before this one
        if before is None or _standing(score) != _standing(before):
            events.append(_score_event(score))
        if score.churn_warning and not (before and before.churn_warning):
            events.append(_churn_event(score))
    return events[:limit]


def _standing(score: CustomerScore) -> tuple[str, str, str]:
    return (score.pyramid_level, score.rfm_segment, score.value_tier)


def _score_event(score: CustomerScore) -> TimelineEvent:
    labels = (
        selectors.level_label(score.pyramid_level) if score.pyramid_level else "",
        selectors.segment_label(score.rfm_segment) if score.rfm_segment else "",
        str(ValueTier(score.value_tier).label) if score.value_tier else "",
    )
    return TimelineEvent(
        at=score.run.finished_at,
        kind="score",
        title=_("Score updated: %(score)s") % {"score": _number(score.score)},
        detail=" · ".join(label for label in labels if label),
    )


def _churn_event(score: CustomerScore) -> TimelineEvent:
    return TimelineEvent(
        at=score.run.finished_at,
        kind="churn_warning",
        title=_("Churn warning (severity %(severity)s)") % {"severity": score.churn_severity},
        detail=selectors.churn_reason(score),
    )


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


register_360_panel("insights.scores", scores_panel)
register_timeline_source("insights.scores", score_events)
