"""Lead response time: from a lead's capture to its first response, for the leads captured
in the period (by the lead's owner and branch; unassigned leads count for their branch)."""

from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q

from guanxi.kpis.period import Period, percentile
from guanxi.kpis.scope import OWNED, KpiScope
from guanxi.kpis.sections import Context, Raw
from guanxi.leads.models import Lead

HOUR = 3600.0


def collect(scope: KpiScope, period: Period, context: Context) -> dict[Any, Raw]:
    """Per group: leads captured, leads answered, and each answer's wait in hours (two
    queries; the waits are read as one column to take percentiles of)."""
    captured = scope.rows(
        Lead.objects.filter(created_at__gte=period.since, created_at__lt=period.until), OWNED
    )
    raw: dict[Any, Raw] = {
        row["key"]: {"captured": row["captured"], "responded": row["responded"], "hours": []}
        for row in captured.values("key").annotate(
            captured=Count("id"), responded=Count("id", filter=Q(first_response_at__isnull=False))
        )
    }
    wait = ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())
    answered = captured.filter(first_response_at__isnull=False).annotate(wait=wait)
    for key, waited in answered.values_list("key", "wait"):
        raw[key]["hours"].append(max(waited.total_seconds(), 0.0) / HOUR)
    return raw


def finish(raw: Raw, period: Period, context: Context) -> dict[str, Any]:
    """Captured and answered leads, and the median and 90th percentile wait in hours."""
    hours = raw.get("hours", [])
    median, p90 = percentile(hours, 0.5), percentile(hours, 0.9)
    return {
        "captured": raw.get("captured", 0),
        "responded": raw.get("responded", 0),
        "median_hours": None if median is None else round(median, 2),
        "p90_hours": None if p90 is None else round(p90, 2),
    }
