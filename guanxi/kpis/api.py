"""REST endpoint of the process KPIs: parse, call, return."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from guanxi.kpis.period import Period
from guanxi.kpis.schemas import ProcessKpiQuery, ProcessKpisOut
from guanxi.kpis.scope import kpi_scope_for_user
from guanxi.kpis.selectors import process_kpis_for_user
from guanxi.request_context import viewer_of

router = Router(tags=["kpis"])


def period_of(start, end, preset: str) -> Period:
    """The period asked for: both days given, or the preset's period holding today."""
    if start is None and end is None:
        return Period.preset(preset, timezone.localdate())
    return Period.of(start, end)


@router.get("/process", response=ProcessKpisOut)
def process_kpis(request: HttpRequest, query: Query[ProcessKpiQuery]):
    """Process KPIs of your scope over a period, in total and per owner, team or branch: a
    branch, team or owner out of your scope is a 404, a bad period a 422 naming the field."""
    scope = kpi_scope_for_user(
        viewer=viewer_of(request),
        group_by=query.group_by,
        branch_id=query.branch,
        team_id=query.team,
        owner_id=query.owner,
    )
    period = period_of(query.period_start, query.period_end, query.preset)
    return process_kpis_for_user(scope=scope, period=period)
