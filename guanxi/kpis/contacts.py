"""Contacts against the contact rules: per value tier, the done contacts of the kind a rule
asks for versus the number it requires; and the coverage of the top tier.

Figures are of the portfolio: an activity counts for its customer's owner and branch, as
activity scope reads it. "Required" is, per tier with a rule, the tier's customers (those
existing by the period's end, in their tier today) times the period's days divided by the
rule's interval. A top-tier customer is covered when their last contact of the rule's kind
on or before the period's last day is no older than the rule allows: my day's neglect test
taken at the period's end. A period still running counts its days so far, and its
coverage is taken now.
"""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from guanxi.activities.contact_rules import MEETS
from guanxi.activities.models import Activity, ActivityKind, ActivityStatus
from guanxi.customers.models import Customer
from guanxi.kpis.period import Period, ratio
from guanxi.kpis.scope import OWNED, VIA_CUSTOMER, KpiScope
from guanxi.kpis.sections import Context, Raw

K = ActivityKind
CONTACT_KINDS = (K.VISIT, K.CALL, K.MEETING)


def _meets(kind: str) -> tuple[str, ...]:
    return MEETS.get(kind, (kind,))


def collect(scope: KpiScope, period: Period, context: Context) -> dict[Any, Raw]:
    """Per group: customers and done contacts per ruled tier, all done contacts, new
    customers of the period, and the top tier's covered customers (three queries)."""
    raw: dict[Any, Raw] = {}

    def at(key: Any) -> Raw:
        return raw.setdefault(key, {"customers": {}, "done": {}, "contacts": 0, "new": 0})

    existing = Customer.objects.filter(created_at__lt=period.until)
    counts = (
        scope.rows(existing, OWNED)
        .values("key", "value_tier")
        .annotate(
            n=Count("id"),
            new=Count("id", filter=Q(created_at__gte=period.since)),
        )
    )
    for row in counts:
        at(row["key"])["customers"][row["value_tier"]] = row["n"]
        at(row["key"])["new"] += row["new"]
    # Contacts with customers: an activity about a lead alone has no portfolio to count for.
    done = Activity.objects.filter(
        customer__isnull=False,
        status=ActivityStatus.DONE,
        starts_at__gte=period.since,
        starts_at__lt=period.until,
    )
    tallies = {
        f"t_{n}": Count("id", filter=Q(customer__value_tier=r.value_tier, kind__in=_meets(r.kind)))
        for n, r in enumerate(context.rules)
    }
    for row in (
        scope.rows(done, VIA_CUSTOMER)
        .values("key")
        .annotate(contacts=Count("id", filter=Q(kind__in=CONTACT_KINDS)), **tallies)
    ):
        entry = at(row["key"])
        entry["contacts"] += row["contacts"]
        for n, rule in enumerate(context.rules):
            entry["done"][rule.value_tier] = row[f"t_{n}"]
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
