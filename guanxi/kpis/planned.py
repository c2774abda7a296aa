"""Planned against done contacts: the visits, calls and meetings account managers put in
their week plans for the period, and how many of them were done.

A week plan counts when its Monday falls in the period (month plans are left out, so a
contact in both a week's and a month's plan counts once). A planned contact is done as the
plans themselves read it (``guanxi.plans.completion``): an activity of its kind with its
customer done within the plan's week, by anyone. Figures belong to the plan's owner and
branch; the tier is the customer's as it is now.
"""

from typing import Any

from django.db.models import Count, Exists, Q

from guanxi.customers.models import ValueTier
from guanxi.kpis.period import Period, ratio
from guanxi.kpis.scope import KpiScope, Source
from guanxi.kpis.sections import Context, Raw
from guanxi.plans.completion import fulfilling_activities
from guanxi.plans.models import PlanItem, PlanPeriod

VIA_PLAN = Source("plan__owner", "plan__branch")


def collect(scope: KpiScope, period: Period, context: Context) -> dict[Any, Raw]:
    """Per group and customer tier: contacts planned in the period's week plans and those
    done (one query)."""
    items = PlanItem.objects.filter(
        plan__period=PlanPeriod.WEEK,
        plan__starts_on__gte=period.start,
        plan__starts_on__lte=period.end,
    ).annotate(fulfilled=Exists(fulfilling_activities()))
    raw: dict[Any, Raw] = {}
    for row in (
        scope.rows(items, VIA_PLAN)
        .values("key", "customer__value_tier")
        .annotate(planned=Count("id"), done=Count("id", filter=Q(fulfilled=True)))
    ):
        entry = raw.setdefault(row["key"], {"planned": {}, "done": {}})
        entry["planned"][row["customer__value_tier"]] = row["planned"]
        entry["done"][row["customer__value_tier"]] = row["done"]
    return raw


def finish(raw: Raw, period: Period, context: Context) -> dict[str, Any]:
    """Planned and done contacts and their ratio, in all and per value tier (best first)."""
    planned, done = raw.get("planned", {}), raw.get("done", {})
    tiers = [
        {
            "value_tier": tier.value,
            "planned": planned.get(tier.value, 0),
            "done": done.get(tier.value, 0),
            "rate": ratio(done.get(tier.value, 0), planned.get(tier.value, 0)),
        }
        for tier in ValueTier
    ]
    all_planned, all_done = sum(planned.values()), sum(done.values())
    return {
        "planned": all_planned,
        "done": all_done,
        "rate": ratio(all_done, all_planned),
        "tiers": tiers,
    }
