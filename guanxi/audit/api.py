"""REST endpoints to search and export the audit log."""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from guanxi.api_types import Moment, PageNumber
from guanxi.audit import selectors
from guanxi.request_context import context_of, viewer_of

router = Router(tags=["audit"])


class AuditQuery(Schema):
    """Criteria for an audit search."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: Moment | None = None
    until: Moment | None = None
    page: PageNumber = 1


class AuditEntryOut(Schema):
    """One audit entry."""

    at: datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    fields: list[str]
    purpose: str
    ip_address: str | None
    channel: str


PAGE_SIZE = 100


def _criteria(query: AuditQuery) -> dict:
    return query.dict(exclude={"page"})


@router.get("", response=list[AuditEntryOut])
def search(request: HttpRequest, query: Query[AuditQuery]):
    """Audit entries, newest first, 100 a page."""
    entries = selectors.search_audit(viewer_of(request), **_criteria(query))
    start = (query.page - 1) * PAGE_SIZE
    return list(entries[start : start + PAGE_SIZE])


@router.get("/export.csv")
def export(request: HttpRequest, query: Query[AuditQuery]):
    """The matching entries as a CSV file."""
    viewer = viewer_of(request)
    entries = selectors.search_audit(viewer, **_criteria(query))
    body = selectors.export_csv(viewer, entries, context_of(request, "api"))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="guanxi-audit.csv"'
    return response
