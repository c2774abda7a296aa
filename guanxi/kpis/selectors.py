"""Reads of the process KPIs: every section for the viewer's scope and a period, per group
and in total, and what the page offers to narrow it to."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities.contact_rules import contact_rules
from guanxi.kpis import contacts, lifecycle, pipeline, planned, responses, revenue
from guanxi.kpis.period import Period
from guanxi.kpis.scope import KpiScope, group_names, staff_in_reach
from guanxi.kpis.sections import Context, Section, add
from guanxi.org.models import Branch, Team
from guanxi.sales.models import Stage

# The page's blocks, in order.
SECTIONS: tuple[Section, ...] = (
    Section("contacts", contacts.collect, contacts.finish),
    Section("planned", planned.collect, planned.finish),
    Section("leads", responses.collect, responses.finish),
    Section("stages", pipeline.collect_stages, pipeline.finish_stages),
    Section("wins", pipeline.collect_wins, pipeline.finish_wins),
    Section("overdue", pipeline.collect_overdue, pipeline.finish_overdue),
    Section("lifecycle", lifecycle.collect, lifecycle.finish),
    Section("revenue", revenue.collect, revenue.finish),
)


def _stages() -> list[dict[str, Any]]:
    """Every active pipeline's stages in order (one query)."""
    pipelines: dict[int, dict[str, Any]] = {}
    for stage in Stage.objects.filter(pipeline__active=True).select_related("pipeline"):
        pipeline = pipelines.setdefault(
            stage.pipeline_id,
            {"id": stage.pipeline_id, "name": stage.pipeline.name, "stages": []},
        )
        pipeline["stages"].append(
            {"id": stage.pk, "name": stage.name, "order": stage.order, "kind": str(stage.kind)}
        )
    return list(pipelines.values())


def process_kpis_for_user(*, scope: KpiScope, period: Period) -> dict[str, Any]:
    """The process KPIs of ``scope`` over ``period``: the total and one row per group
    (owner, team or branch), with the contact rules and pipeline stages they refer to."""
    policy.require(scope.viewer, "process_kpi.view")
    rules = contact_rules()
    context = Context(rules=rules, now=timezone.now())
    raw = {section.name: section.collect(scope, period, context) for section in SECTIONS}
    keys = {key for per_key in raw.values() for key in per_key}
    names = group_names(scope.group_by, keys)
    groups = []
    for key in sorted(keys, key=lambda k: (k is None, str(names[k]), k or 0)):
        row: dict[str, Any] = {"key": key, "name": names[key]}
        for section in SECTIONS:
            row[section.name] = section.finish(raw[section.name].get(key, {}), period, context)
        groups.append(row)
    total: dict[str, Any] = {"key": None, "name": _("Total")}
    for section in SECTIONS:
        summed: dict[str, Any] = {}
        for figures in raw[section.name].values():
            summed = add(summed, figures)
        total[section.name] = section.finish(summed, period, context)
    return {
        "period_start": period.start,
        "period_end": period.end,
        "days": period.days,
        "group_by": scope.group_by,
        "rules": [
            {
                "value_tier": r.value_tier,
                "label": r.tier_label,
                "every_days": r.every_days,
                "kind": r.kind,
            }
            for r in rules
        ],
        "pipelines": _stages(),
        "total": total,
        "groups": groups,
    }


def kpi_choices_for_user(*, viewer: policy.Viewer) -> dict[str, list[tuple[int, str]]]:
    """The branches, teams and colleagues the viewer may narrow the figures to (three
    queries)."""
    policy.require(viewer, "process_kpi.view")
    reach = staff_in_reach(viewer)
    people = reach.filter(user__is_active=True).order_by("display_name", "user__username")
    return {
        "branches": list(
            Branch.objects.filter(pk__in=reach.values("branch_id")).values_list("pk", "name")
        ),
        "teams": list(
            Team.objects.filter(pk__in=reach.values("team_id"))
            .order_by("branch__name", "name")
            .values_list("pk", "name")
        ),
        "owners": [
            (pk, shown or username)
            for pk, shown, username in people.values_list(
                "user_id", "display_name", "user__username"
            )
        ],
    }
