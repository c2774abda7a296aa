"""Revenue: the customers' net transactions in the period (refunds deducted), and the part
from customers acquired in it (whose record was created in the period), by the customer's
owner and branch. The revenue is summed from the day figures (``guanxi.kpis.daily``); the
new customers' part is read from their transactions, since it depends on the period."""

from typing import Any

from django.db.models import Sum

from guanxi.customers.models import Transaction
from guanxi.kpis.models import RevenueDay
from guanxi.kpis.period import Period, money, ratio
from guanxi.kpis.scope import OWNED, VIA_CUSTOMER, KpiScope
from guanxi.kpis.sections import Context, Raw


def collect(scope: KpiScope, period: Period, context: Context) -> dict[Any, Raw]:
    """Per group: revenue, and revenue from the period's new customers (two queries)."""
    days = RevenueDay.objects.filter(day__gte=period.start, day__lte=period.end)
    raw: dict[Any, Raw] = {
        row["key"]: {"revenue": row["revenue"] or 0, "new": 0}
        for row in scope.rows(days, OWNED).values("key").annotate(revenue=Sum("amount"))
    }
    booked = Transaction.objects.filter(
        occurred_at__gte=period.since,
        occurred_at__lt=period.until,
        customer__created_at__gte=period.since,
        customer__created_at__lt=period.until,
    )
    for row in scope.rows(booked, VIA_CUSTOMER).values("key").annotate(new=Sum("amount")):
        raw.setdefault(row["key"], {"revenue": 0, "new": 0})["new"] = row["new"] or 0
    return raw


def finish(raw: Raw, period: Period, context: Context) -> dict[str, Any]:
    """Revenue, new customers' revenue and their share of it."""
    revenue, new = raw.get("revenue", 0), raw.get("new", 0)
    return {
        "revenue": money(revenue),
        "new_customer_revenue": money(new),
        "new_customer_share": ratio(float(new), float(revenue)) if revenue > 0 else None,
    }
