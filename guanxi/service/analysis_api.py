"""REST endpoints of the desk's analyses (root-cause Pareto, repeat complaints, recurrence
after corrective actions, resolution times, common needs) and of corrective actions: thin
handlers over ``case_analysis`` and ``case_reference``."""

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Status

from guanxi.request_context import context_of, viewer_of
from guanxi.service import case_analysis, case_reference
from guanxi.service.analysis_schemas import (
    CorrectiveActionIn,
    CorrectiveActionOut,
    DepartmentOut,
    NeedsOut,
    ParetoOut,
    PeriodQuery,
    RecurrenceOut,
    RepeatOut,
    RepeatQuery,
    ResolutionOut,
    ResolutionQuery,
)

CHANNEL = "api"
analysis_router = Router(tags=["service"])
corrective_actions_router = Router(tags=["service"])


def period_of(query: PeriodQuery) -> tuple[date, date]:
    """The query's days ``[start, end)``, checked."""
    return case_analysis.analysis_period(start=query.start, end=query.end)


@analysis_router.get("/pareto", response=list[ParetoOut])
def pareto(request: HttpRequest, query: Query[PeriodQuery]):
    """Root causes of the complaints resolved in the period, most frequent first, with
    their cost and cumulative share."""
    start, end = period_of(query)
    return case_analysis.root_cause_pareto(viewer=viewer_of(request), start=start, end=end)


@analysis_router.get("/repeat-complaints", response=list[RepeatOut])
def repeats(request: HttpRequest, query: Query[RepeatQuery]):
    """Customers or products complained about twice or more in the period."""
    start, end = period_of(query)
    return case_analysis.repeat_complaints(
        viewer=viewer_of(request), start=start, end=end, by=query.by
    )


@analysis_router.get("/recurrence", response=list[RecurrenceOut])
def recurrence(request: HttpRequest):
    """Each corrective action with its cause's complaints in the 90 days before and after."""
    return [
        {
            "corrective_action_id": row.action.pk,
            "root_cause_id": row.action.root_cause_id,
            "root_cause": row.action.root_cause.label,
            "taken_on": row.action.taken_on,
            "description": row.action.description,
            "before": row.before,
            "after": row.after,
            "change": row.change,
        }  # fmt: skip
        for row in case_analysis.recurrence_after_actions(viewer=viewer_of(request))
    ]


@analysis_router.get("/resolution-times", response=list[ResolutionOut])
def resolution_times(request: HttpRequest, query: Query[ResolutionQuery]):
    """Cases resolved in the period by category, department, branch or agent: how many,
    mean hours to resolve, share within their deadline; slowest first."""
    start, end = period_of(query)
    return case_analysis.resolution_times(
        viewer=viewer_of(request), start=start, end=end, by=query.by
    )


@analysis_router.get("/department-times", response=list[DepartmentOut])
def department_times(request: HttpRequest, query: Query[PeriodQuery]):
    """How long each department held the cases given to it in the period; slowest first."""
    start, end = period_of(query)
    return case_analysis.department_times(viewer=viewer_of(request), start=start, end=end)


@analysis_router.get("/needs", response=NeedsOut)
def needs(request: HttpRequest, query: Query[PeriodQuery]):
    """Cases received per month and top-level category (the customers' common needs)."""
    start, end = period_of(query)
    found = case_analysis.needs_by_month(viewer=viewer_of(request), start=start, end=end)
    return {
        "months": found.months,
        "series": [{"category": label, "counts": counts} for label, counts in found.series],
    }


@corrective_actions_router.post("", response={201: CorrectiveActionOut})
def create_corrective_action(request: HttpRequest, payload: CorrectiveActionIn):
    """Record what was done about a root cause (administrators)."""
    found = case_reference.corrective_action_create(
        viewer=viewer_of(request), context=context_of(request, CHANNEL), **payload.dict()
    )
    return Status(201, found)
