"""Conversion between lifecycle stages: of the customers who left a stage in the period,
the share that moved on along the relationship (prospect → new → repeat → loyal, and back
from inactive or lost), by the customer's owner and branch as the day figures keep them
(``guanxi.kpis.daily``)."""

from typing import Any

from django.db.models import Sum

from guanxi.customers.models import LifecycleStatus as S
from guanxi.kpis.models import MoveDay
from guanxi.kpis.period import Period, ratio
from guanxi.kpis.scope import OWNED, KpiScope
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
    """Per group: the period's moves out of each stage, and into each next one, from the
    day figures (one query)."""
    moves = MoveDay.objects.filter(day__gte=period.start, day__lte=period.end)
    raw: dict[Any, Raw] = {}
    for row in (
        scope.rows(moves, OWNED)
        .values("key", "from_status", "to_status")
        .annotate(n=Sum("moves"))
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
