"""Pyramid migration: how many customers moved from each pyramid level to each other one
between two analysis runs (who rose from B to A, who fell from B to inactive).

The management view of value over time: a bank watches its A and B customers slip before
their revenue does. A branch or portfolio view is one query when the page is shown: the
newer run's levels of the viewer's customers grouped with each one's level in the older run
(an index lookup per customer on ``customer, run``). The company's is counted by the run
itself, from the rows of the run before that it reads anyway
(``guanxi.insights.results.level_moves``), and kept with its charts: a million lookups took
4-8 s of the nightly write.
"""

from django.db.models import Count, OuterRef, QuerySet, Subquery

from guanxi.insights.charts import PYRAMID_ORDER
from guanxi.insights.models import AnalysisRun, CustomerScore, RunStatus

NOT_SCORED = ""  # a customer the older run did not score (new since) has no level before


def previous_run(run: AnalysisRun) -> AnalysisRun | None:
    """The finished run before ``run``, which a migration compares it with."""
    if run.finished_at is None:
        return None
    return (
        AnalysisRun.objects.filter(status=RunStatus.FINISHED, finished_at__lt=run.finished_at)
        .order_by("-finished_at", "-id")
        .first()
    )


def level_migration(scores: QuerySet, previous: AnalysisRun) -> dict:
    """Counts of customers by (level in ``previous``, level now) among ``scores`` (one run's
    scores, narrowed to a viewer's customers or not)."""
    before = CustomerScore.objects.filter(run=previous, customer_id=OuterRef("customer_id"))
    rows = (
        scores.annotate(before=Subquery(before.values("pyramid_level")[:1]))
        .values("before", "pyramid_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return migration_of(
        {(r["before"] or NOT_SCORED, r["pyramid_level"]): r["n"] for r in rows}, previous
    )


def migration_of(counts: dict[tuple[str, str], int], previous: AnalysisRun) -> dict:
    """The migration since ``previous`` from its counts by (level before, level now)."""
    return {
        "previous_run": previous.pk,
        "previous_finished_at": previous.finished_at.isoformat() if previous.finished_at else None,
        "cells": [[a, b, n] for (a, b), n in sorted(counts.items(), key=_level_order)],
    }


def _level_order(item: tuple[tuple[str, str], int]) -> tuple[int, int]:
    (before, after), _n = item
    order = {level: i for i, level in enumerate((*PYRAMID_ORDER, NOT_SCORED))}
    return order.get(before, len(order)), order.get(after, len(order))
