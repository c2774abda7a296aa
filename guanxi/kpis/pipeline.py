"""The pipelines: stage-to-stage conversion, time in each stage, win rate and days to win,
and next steps gone overdue; by the opportunity's owner and branch.

* An opportunity *entered* a stage when a stage change into it happened in the period; it
  *advanced* when a later change took it to a stage further along that is not lost. A
  change counts for the owner and branch the opportunity had when it moved (kept with the
  change): an opportunity handed over leaves its past moves with who made them.
* Time in a stage is measured on the period's moves out of it: from the move in to the
  move out.
* Win rate: opportunities won in the period over those won or lost in it.
* Overdue next steps and overdue open tasks are counted as of today (not the period's end:
  whether a step was done is not kept as history); a task counts for the person who is to
  do it and their branch.
"""

from typing import Any

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
)
from django.utils import timezone

from guanxi.activities.models import Activity, ActivityKind, ActivityStatus
from guanxi.kpis.period import Period, money, percentile, ratio
from guanxi.kpis.scope import ASSIGNED, OWNED, KpiScope
from guanxi.kpis.sections import Context, Raw
from guanxi.sales.models import Opportunity, StageChange, StageKind

DAY = 86400.0


def _days(values: list[float], share: float) -> float | None:
    found = percentile(values, share)
    return None if found is None else round(found, 2)


def collect_stages(scope: KpiScope, period: Period, context: Context) -> dict[Any, Raw]:
    """Per group and stage: opportunities entering it, of those advancing, and the days
    spent in it by the moves out of it (two queries, over the moves' own ``advanced`` and
    ``from_entered_at``, which the moves keep)."""
    changes = StageChange.objects.filter(changed_at__gte=period.since, changed_at__lt=period.until)
    raw: dict[Any, Raw] = {}
    for row in (
        scope.rows(changes, OWNED)
        .values("key", "to_stage_id")
        .annotate(
            entered=Count("opportunity_id", distinct=True),
            advanced=Count("opportunity_id", distinct=True, filter=Q(advanced=True)),
        )
        .order_by()
    ):
        stages = raw.setdefault(row["key"], {})
        stages[str(row["to_stage_id"])] = {
            "entered": row["entered"],
            "advanced": row["advanced"],
            "days": [],
        }
    spent = ExpressionWrapper(F("changed_at") - F("from_entered_at"), output_field=DurationField())
    # A move out of a stage it has no recorded move into has no time in it.
    exits = scope.rows(changes.filter(from_entered_at__isnull=False), OWNED)
    for key, stage_id, duration in exits.annotate(spent=spent).values_list(
        "key", "from_stage_id", "spent"
    ):
        stage = raw.setdefault(key, {}).setdefault(
            str(stage_id), {"entered": 0, "advanced": 0, "days": []}
        )
        stage["days"].append(max(duration.total_seconds(), 0.0) / DAY)
    return raw


def finish_stages(raw: Raw, period: Period, context: Context) -> dict[str, Any]:
    """Per stage (by id): entered, advanced, their ratio, median days in the stage."""
    return {
        stage_id: {
            "entered": figures["entered"],
            "advanced": figures["advanced"],
            "conversion": ratio(figures["advanced"], figures["entered"]),
            "median_days": _days(figures["days"], 0.5),
        }
        for stage_id, figures in raw.items()
    }


def collect_wins(scope: KpiScope, period: Period, context: Context) -> dict[Any, Raw]:
    """Per group: opportunities won and lost in the period, the amount won (and of it, from
    customers acquired in the period), and each win's days from creation (two queries)."""
    closed = scope.rows(
        Opportunity.objects.filter(
            closed_at__gte=period.since,
            closed_at__lt=period.until,
            status__in=[StageKind.WON, StageKind.LOST],
        ),
        OWNED,
    )
    won = Q(status=StageKind.WON)
    new = won & Q(customer__created_at__gte=period.since, customer__created_at__lt=period.until)
    raw: dict[Any, Raw] = {
        row["key"]: {
            "won": row["won"],
            "lost": row["lost"],
            "won_amount": row["won_amount"] or 0,
            "new_won_amount": row["new_won_amount"] or 0,
            "days": [],
        }
        for row in closed.values("key").annotate(
            won=Count("id", filter=won),
            lost=Count("id", filter=Q(status=StageKind.LOST)),
            won_amount=Sum("amount", filter=won),
            new_won_amount=Sum("amount", filter=new),
        )
    }
    cycle = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    for key, duration in closed.filter(won).annotate(cycle=cycle).values_list("key", "cycle"):
        raw[key]["days"].append(max(duration.total_seconds(), 0.0) / DAY)
    return raw


def finish_wins(raw: Raw, period: Period, context: Context) -> dict[str, Any]:
    """Won, lost, the win rate, amounts won, and the median days from creation to a win."""
    won, lost = raw.get("won", 0), raw.get("lost", 0)
    return {
        "won": won,
        "lost": lost,
        "win_rate": ratio(won, won + lost),
        "won_amount": money(raw.get("won_amount")),
        "new_customer_won_amount": money(raw.get("new_won_amount")),
        "median_days_to_win": _days(raw.get("days", []), 0.5),
    }


def collect_overdue(scope: KpiScope, period: Period, context: Context) -> dict[Any, Raw]:
    """Per group: open opportunities whose next step is past due, and open tasks past due,
    as of today (two queries)."""
    today = timezone.localdate()
    raw: dict[Any, Raw] = {}
    steps = Opportunity.objects.filter(status=StageKind.OPEN, next_step_due__lt=today)
    for row in scope.rows(steps, OWNED).values("key").annotate(n=Count("id")):
        raw.setdefault(row["key"], {"next_steps": 0, "tasks": 0})["next_steps"] = row["n"]
    # A task counts for the person who is to do it (read along their open items by due
    # day), and only about a customer, as before: a lead's tasks are left out.
    tasks = Activity.objects.filter(
        owner__isnull=False,
        status=ActivityStatus.OPEN,
        due_on__lt=today,
        kind=ActivityKind.TASK,
        customer__isnull=False,
    )
    for row in scope.rows(tasks, ASSIGNED).values("key").annotate(n=Count("id")):
        raw.setdefault(row["key"], {"next_steps": 0, "tasks": 0})["tasks"] = row["n"]
    return raw


def finish_overdue(raw: Raw, period: Period, context: Context) -> dict[str, Any]:
    """Overdue next steps and tasks."""
    return {"next_steps": raw.get("next_steps", 0), "tasks": raw.get("tasks", 0)}
