"""Contacts against the contact rules: per value tier, the done contacts of the kind a rule
asks for versus the number it requires; and the coverage of the top tier.

Figures are of the portfolio: a done contact counts for its customer's owner, branch and
tier, read from the day figures (``guanxi.kpis.daily``, which says when they are taken).
"Required" is, per tier with a rule, the tier's customers (those
existing by the period's end, in their tier today) times the period's days divided by the
rule's interval. A top-tier customer is covered when their last contact of the rule's kind
on or before the period's last day is no older than the rule allows: my day's neglect test
taken at the period's end. A period still running counts its days so far, and its
coverage is taken now.
"""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum

from guanxi.activities.contact_rules import MEETS
from guanxi.activities.models import Activity, ActivityStatus
from guanxi.customers.models import Customer
from guanxi.kpis.models import ContactDay
from guanxi.kpis.period import Period, ratio
from guanxi.kpis.scope import OWNED, KpiScope
from guanxi.kpis.sections import Context, Raw


def _meets(kind: str) -> tuple[str, ...]:
    return MEETS.get(kind, (kind,))


def collect(scope: KpiScope, period: Period, context: Context) -> dict[Any, Raw]:
    """Per group: customers and done contacts per ruled tier (from the day figures), all
    done contacts, new customers of the period, and the top tier's covered customers (three
    queries)."""
    raw: dict[Any, Raw] = {}

    def at(key: Any) -> Raw:
        return raw.setdefault(key, {"customers": {}, "done": {}, "contacts": 0, "new": 0})

    existing = Customer.objects.filter(created_at__lt=period.until)
    # Counted by a column of the (branch, owner, tier, created) index, not the id:
    # PostgreSQL then reads the index alone (90 ms -> 17 ms for a 98,000-customer branch).
    counts = (
        scope.rows(existing, OWNED)
        .values("key", "value_tier")
        .annotate(
            n=Count("created_at"),
            new=Count("created_at", filter=Q(created_at__gte=period.since)),
        )
    )
    for row in counts:
        at(row["key"])["customers"][row["value_tier"]] = row["n"]
        at(row["key"])["new"] += row["new"]
    done = ContactDay.objects.filter(day__gte=period.start, day__lte=period.end)
    for row in scope.rows(done, OWNED).values("key", "value_tier", "kind").annotate(n=Sum("done")):
        entry = at(row["key"])
        entry["contacts"] += row["n"]
        for rule in context.rules:
            if row["value_tier"] == rule.value_tier and row["kind"] in _meets(rule.kind):
                entry["done"][rule.value_tier] = entry["done"].get(rule.value_tier, 0) + row["n"]
    if context.rules:
        top = context.rules[0]
        end = period.end_by(context.now)
        recent = Activity.objects.filter(
            customer_id=OuterRef("pk"),
            status=ActivityStatus.DONE,
            kind__in=_meets(top.kind),
            starts_at__gte=end - timedelta(days=top.every_days),
            starts_at__lt=end,
        )
        tops = existing.filter(value_tier=top.value_tier)
        for row in (
            scope.rows(tops, OWNED)
            .values("key")
            .annotate(top=Count("id"), covered=Count("id", filter=Exists(recent)))
        ):
            at(row["key"]).update(top=row["top"], covered=row["covered"])
    return raw


def finish(raw: Raw, period: Period, context: Context) -> dict[str, Any]:
    """Per ruled tier: customers, required and actual contacts and their ratio; all done
    contacts; new customers; the top tier's coverage."""
    tiers = []
    for rule in context.rules:
        customers = raw.get("customers", {}).get(rule.value_tier, 0)
        required = round(customers * period.days_by(context.now) / rule.every_days, 1)
        actual = raw.get("done", {}).get(rule.value_tier, 0)
        tiers.append(
            {
                "value_tier": rule.value_tier,
                "customers": customers,
                "required": required,
                "actual": actual,
                "rate": ratio(actual, required),
            }
        )
    top, covered = raw.get("top") or 0, raw.get("covered") or 0
    return {
        "tiers": tiers,
        "contacts": raw.get("contacts", 0),
        "new_customers": raw.get("new", 0),
        "coverage": {"customers": top, "covered": covered, "rate": ratio(covered, top)},
    }
