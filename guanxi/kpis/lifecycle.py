"""Conversion between lifecycle stages: of the customers who left a stage in the period,
the share that moved on along the relationship (prospect → new → repeat → loyal, and back
from inactive or lost), by the customer's owner and branch."""

from typing import Any

from django.db.models import Count

from guanxi.customers.models import LifecycleChange
from guanxi.customers.models import LifecycleStatus as S
from guanxi.kpis.period import Period, ratio
from guanxi.kpis.scope import VIA_CUSTOMER, KpiScope
from guanxi.kpis.sections import Context, Raw

STEPS = (
    (S.SUSPECT, S.PROSPECT),
    (S.PROSPECT, S.NEW),
    (S.NEW, S.REPEAT),
    (S.REPEAT, S.LOYAL),
    (S.INACTIVE, S.WON_BACK),
    (S.LOST, S.WON_BACK),
)


def collect(scope: KpiScope, period: Period, context: Context) -> dict[Any, Raw]:
    """Per group: the period's moves out of each stage, and into each next one (one query)."""
    moves = LifecycleChange.objects.filter(
        changed_at__gte=period.since, changed_at__lt=period.until
    )
    raw: dict[Any, Raw] = {}
    for row in (
        scope.rows(moves, VIA_CUSTOMER)
        .values("key", "from_status", "to_status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        entry = raw.setdefault(row["key"], {"out": {}, "moved": {}})
        entry["out"][row["from_status"]] = entry["out"].get(row["from_status"], 0) + row["n"]
        step = f"{row['from_status']}>{row['to_status']}"
        entry["moved"][step] = row["n"]
    return raw


def finish(raw: Raw, period: Period, context: Context) -> dict[str, Any]:
    """Per step: moves out of its stage, moves along it, and their ratio."""
    steps = []
    for source, target in STEPS:
        left = raw.get("out", {}).get(source, 0)
        moved = raw.get("moved", {}).get(f"{source}>{target}", 0)
        steps.append(
            {
                "from_status": str(source),
                "to_status": str(target),
                "left": left,
                "moved": moved,
                "rate": ratio(moved, left),
            }
        )
    return {"steps": steps}
