"""REST endpoints to search and export the audit log.

Entries come as ``guanxi.audit.display`` shows them: translated labels beside the codes,
local times, the record's name and link, and old → new values masked per the caller's
access.
"""

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from guanxi.api_types import Moment, PageNumber
from guanxi.audit import display, selectors
from guanxi.request_context import context_of, viewer_of

router = Router(tags=["audit"])


class AuditQuery(Schema):
    """Criteria for an audit search."""

    actor: str = ""
    customer: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: Moment | None = None
    until: Moment | None = None
    page: PageNumber = 1


class NamedCustomerOut(Schema):
    """A customer an entry names, with a link to their 360 page (if the caller may see it)."""

    id: int
    name: str
    url: str | None


class AuditEntryOut(Schema):
    """One audit entry."""

    at: datetime
    actor_name: str
    actor_display: str
    action: str
    action_label: str
    object_type: str
    object_type_label: str
    object_id: str
    object_name: str
    url: str | None
    customer_count: int
    customers: list[NamedCustomerOut]
    fields: list[str]
    field_labels: list[str]
    changes: dict[str, list]
    purpose: str
    ip_address: str | None
    channel: str
    channel_label: str


PAGE_SIZE = 100


def _criteria(query: AuditQuery) -> dict:
    return query.dict(exclude={"page"})


@router.get("", response=list[AuditEntryOut])
def search(request: HttpRequest, query: Query[AuditQuery]):
    """Audit entries, newest first, 100 a page; times in the server's time zone."""
    viewer = viewer_of(request)
    entries = selectors.audit_entry_list_for_user(viewer=viewer, **_criteria(query))
    start = (query.page - 1) * PAGE_SIZE
    return display.present_entries(viewer, list(entries[start : start + PAGE_SIZE]))


@router.get("/export.csv")
def export(request: HttpRequest, query: Query[AuditQuery]):
    """The matching entries as a CSV file."""
    viewer = viewer_of(request)
    entries = selectors.audit_entry_list_for_user(viewer=viewer, **_criteria(query))
    body = selectors.export_csv(viewer, entries, context_of(request, "api"))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="guanxi-audit.csv"'
    return response
