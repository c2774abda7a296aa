"""REST endpoints of cases, their categories and root causes: thin handlers that parse,
call a service or selector, and return. Every case read shows its SLA clock."""

from datetime import datetime

from django.http import FileResponse, HttpRequest
from ninja import File, Query, Router, Status, UploadedFile

from guanxi.api_types import RecordId
from guanxi.customers.api import expected_version
from guanxi.request_context import context_of, viewer_of
from guanxi.sales.api import person_name
from guanxi.service import (
    case_attachments,
    case_clock,
    case_reference,
    case_selectors,
    cases,
    workflow,
)
from guanxi.service.case_models import Case, CaseCategory, RootCause
from guanxi.service.case_schemas import (
    CaseAssignIn,
    CaseAttachmentOut,
    CaseDetailOut,
    CaseIn,
    CaseListQuery,
    CasePageOut,
    CasePatch,
    CategoryIn,
    CategoryOut,
    RootCauseIn,
    RootCauseOut,
    TransitionIn,
)
from guanxi.service.case_transitions import case_transition
from guanxi.service.case_types import CaseState, CaseType

CHANNEL = "api"
cases_router = Router(tags=["service"])
categories_router = Router(tags=["service"])
root_causes_router = Router(tags=["service"])


def case_out(case: Case, now: datetime, engines: dict | None = None) -> dict:
    """The fields of ``CaseOut`` (customer, agent, queue, category and policy read with it;
    ``engines``: the calendars' working time, when listing many)."""
    found = case_clock.clock(case, now, engines)
    paused = case.paused_total.total_seconds() // 60 if case.paused_total else 0
    return {
        "id": case.pk,
        "number": case.number,
        "case_type": case.case_type,
        "case_type_label": str(CaseType(case.case_type).label),
        "channel": case.channel,
        "priority": case.priority,
        "state": case.state,
        "state_label": str(CaseState(case.state).label),
        "subject": case.subject,
        "customer_id": case.customer_id,
        "customer_name": case.customer.name,
        "value_tier_rank": case.tier_rank,
        "category_id": case.category_id,
        "category_name": case.category.name if case.category else "",
        "product_id": case.product_id,
        "owner_id": case.owner_id,
        "owner_name": person_name(case.owner) if case.owner else "",
        "queue_id": case.queue_id,
        "queue_name": case.queue.name if case.queue else "",
        "branch_id": case.branch_id,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "version": case.version,
        "sla": {
            "policy_id": case.sla_policy_id,
            "status": found.status,
            "status_label": found.label,
            "minutes_left": found.minutes_left,
            "first_response_due": case.first_response_due,
            "resolution_due": case.resolution_due,
            "first_responded_at": case.first_responded_at,
            "resolved_at": case.resolved_at,
            "paused_since": case.paused_since,
            "paused_minutes": int(paused),
        },
    }


def _detail(request: HttpRequest, case_id: int) -> dict:
    case = case_selectors.case_get_for_user(viewer=viewer_of(request), case_id=case_id)
    return detail_out(case)


def detail_out(case: Case) -> dict:
    """The fields of ``CaseDetailOut`` (its history read with it)."""
    return {
        **case_out(case, case_selectors.now()),
        "description": case.description,
        "on_the_spot": case.on_the_spot,
        "promised_reply_at": case.promised_reply_at,
        "root_cause_id": case.root_cause_id,
        "resolution_note": case.resolution_note,
        "customer_confirmed": case.customer_confirmed,
        "contact_attempted_at": case.contact_attempted_at,
        "escalation_level": case.escalation_level,
        "next_states": workflow.next_states(case.state),
        "transitions": [
            {
                "from_state": t.from_state,
                "to_state": t.to_state,
                "note": t.note,
                "at": t.at,
                "by": person_name(t.by) if t.by else "",
            }  # fmt: skip
            for t in case_selectors.case_transitions(case=case)
        ],
        "assignments": [
            {
                "from_owner_id": a.from_owner_id,
                "to_owner_id": a.to_owner_id,
                "from_queue_id": a.from_queue_id,
                "to_queue_id": a.to_queue_id,
                "reason": a.reason,
                "at": a.at,
            }  # fmt: skip
            for a in case_selectors.case_assignments(case=case)
        ],
    }


@cases_router.get("", response=CasePageOut)
def list_cases(request: HttpRequest, query: Query[CaseListQuery]):
    """The cases in your scope in queue order: higher customer tiers first (the green
    channel), then the nearest resolution deadline; filters and paging."""
    params = query.dict()
    page, page_size, sla_status = (
        params.pop("page"),
        params.pop("page_size"),
        params.pop("sla_status"),
    )
    open_only = params.pop("open_only")
    found = case_selectors.case_list_for_user(
        viewer=viewer_of(request),
        filters={k: v for k, v in params.items() if v is not None},
        sla_status=sla_status,
        page=page,
        page_size=page_size,
        open_only=open_only,
    )
    now, engines = case_selectors.now(), case_clock.engines_for(found.rows)
    return {
        "results": [case_out(c, now, engines) for c in found.rows],
        "count": found.count,
        "count_is_lower_bound": found.count_is_lower_bound,
        "page": found.page,
        "page_size": found.page_size,
        "has_next": found.has_next,
    }


@cases_router.post("", response={201: CaseDetailOut})
def create_case(request: HttpRequest, payload: CaseIn):
    """Open a case for a customer you see; its SLA deadlines and queue are set."""
    case = cases.case_create(
        viewer=viewer_of(request), context=context_of(request, CHANNEL), **payload.dict()
    )
    return Status(201, _detail(request, case.pk))


@cases_router.get("/{int:case_id}", response=CaseDetailOut)
def get_case(request: HttpRequest, case_id: RecordId):
    """One case: its SLA clock, history, and the states it may move to."""
    return _detail(request, case_id)


@cases_router.patch("/{int:case_id}", response=CaseDetailOut)
def update_case(request: HttpRequest, case_id: RecordId, payload: CasePatch):
    """Change fields of a case; a stale version changes nothing (409)."""
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    cases.case_update(
        viewer=viewer_of(request), case_id=case_id, changes=data, expected_version=version,
        context=context_of(request, CHANNEL),
    )  # fmt: skip
    return _detail(request, case_id)


@cases_router.post("/{int:case_id}/transition", response=CaseDetailOut)
def transition(request: HttpRequest, case_id: RecordId, payload: TransitionIn):
    """Move the case to another state as the workflow allows; carries the version. A move
    not allowed, or a complaint's move without what it needs, is a 422 naming the field."""
    data = payload.dict()
    version = expected_version(request, data.pop("version"))
    case_transition(
        viewer=viewer_of(request), case_id=case_id, expected_version=version,
        context=context_of(request, CHANNEL), **data,
    )  # fmt: skip
    return _detail(request, case_id)


@cases_router.post("/{int:case_id}/attachments", response={201: CaseAttachmentOut})
def add_attachment(request: HttpRequest, case_id: RecordId, file: File[UploadedFile]):
    """Attach a file to a case you may work (size and type limited:
    GUANXI_ATTACHMENT_MAX_BYTES and _TYPES)."""
    found = case_attachments.case_attachment_add(
        viewer=viewer_of(request), case_id=case_id, upload=file,
        context=context_of(request, CHANNEL),
    )  # fmt: skip
    return Status(201, found)


@cases_router.get("/{int:case_id}/attachments", response=list[CaseAttachmentOut])
def list_attachments(request: HttpRequest, case_id: RecordId):
    """The files of a case, oldest first."""
    return case_attachments.case_attachment_list_for_user(
        viewer=viewer_of(request), case_id=case_id
    )


@cases_router.get("/{int:case_id}/attachments/{int:attachment_id}")
def download_attachment(request: HttpRequest, case_id: RecordId, attachment_id: RecordId):
    """The file itself."""
    found = case_attachments.case_attachment_get_for_user(
        viewer=viewer_of(request), case_id=case_id, attachment_id=attachment_id
    )
    return FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.name,
        content_type=found.content_type,
    )  # fmt: skip


@cases_router.post("/{int:case_id}/assign", response=CaseDetailOut)
def assign(request: HttpRequest, case_id: RecordId, payload: CaseAssignIn):
    """Give the case to an agent or a queue (a transfer between departments is kept)."""
    data = payload.dict()
    version = expected_version(request, data.pop("version"))
    cases.case_assign(
        viewer=viewer_of(request), case_id=case_id, expected_version=version,
        context=context_of(request, CHANNEL), **data,
    )  # fmt: skip
    # Read back whole: a transfer may take the case out of the assigner's scope.
    return detail_out(case_selectors.case_after_change(case_id=case_id))


CATEGORY_FIELDS = ("id", "code", "name", "name_en", "parent_id", "default_queue_id")
ROOT_CAUSE_FIELDS = ("id", "code", "name", "name_en", "parent_id")


def _fields(found: CaseCategory | RootCause, names: tuple[str, ...]) -> dict:
    return {name: getattr(found, name) for name in names}


@categories_router.get("", response=list[CategoryOut])
def list_categories(request: HttpRequest):
    """The case category tree, by code."""
    found = case_selectors.category_list_for_user(viewer=viewer_of(request))
    return [_fields(c, CATEGORY_FIELDS) for c in found]


@categories_router.post("", response={201: CategoryOut})
def create_category(request: HttpRequest, payload: CategoryIn):
    """Add a case category (administrators)."""
    found = case_reference.case_category_create(
        viewer=viewer_of(request), context=context_of(request, CHANNEL), **payload.dict()
    )
    return Status(201, _fields(found, CATEGORY_FIELDS))


@root_causes_router.get("", response=list[RootCauseOut])
def list_root_causes(request: HttpRequest):
    """The root-cause taxonomy, by code."""
    found = case_selectors.root_cause_list_for_user(viewer=viewer_of(request))
    return [_fields(c, ROOT_CAUSE_FIELDS) for c in found]


@root_causes_router.post("", response={201: RootCauseOut})
def create_root_cause(request: HttpRequest, payload: RootCauseIn):
    """Add a root cause (administrators)."""
    found = case_reference.root_cause_create(
        viewer=viewer_of(request), context=context_of(request, CHANNEL), **payload.dict()
    )
    return Status(201, _fields(found, ROOT_CAUSE_FIELDS))
