"""REST endpoints for analysis runs and customer scores: thin handlers over services."""

from django.http import HttpRequest
from ninja import Router, Status

from guanxi.api_types import RecordId
from guanxi.insights import selectors, services
from guanxi.insights.schemas import RunOut, RunQueuedOut, ScoreOut
from guanxi.request_context import context_of, viewer_of

router = Router(tags=["insights"])


@router.get("/runs", response=list[RunOut])
def list_runs(request: HttpRequest):
    """The newest analysis runs, newest first."""
    return selectors.list_runs(viewer_of(request))


@router.post("/runs", response={202: RunQueuedOut})
def start_run(request: HttpRequest):
    """Queue an analysis run for the background worker; 202 with the run's id."""
    run = services.queue_analysis(viewer=viewer_of(request), context=context_of(request, "api"))
    return Status(202, run)


@router.get("/customers/{int:customer_id}/scores", response=list[ScoreOut])
def customer_scores(request: HttpRequest, customer_id: RecordId):
    """A customer's scores from every finished run, newest first (404 outside your scope)."""
    return selectors.score_history(viewer_of(request), customer_id)
