"""REST endpoints for plans: thin handlers that parse, call a service or selector, and
return."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from guanxi.api_types import RecordId
from guanxi.customers.api import expected_version
from guanxi.plans import completion, selectors, services
from guanxi.plans.models import Plan, PlanItem
from guanxi.plans.schemas import (
    AgendaOut,
    AgendaQuery,
    CompletionOut,
    ItemIn,
    PlanDetailOut,
    PlanIn,
    PlanListQuery,
    PlanPageOut,
    PlanPatch,
    ReviewIn,
    TierOut,
    TierQuery,
    VersionQuery,
)
from guanxi.request_context import context_of, viewer_of
from guanxi.sales.api import person_name

CHANNEL = "api"
router = Router(tags=["plans"])


def plan_out(plan: Plan, planned: int) -> dict:
    """The fields of ``PlanOut``."""
    return {
        **{name: getattr(plan, name) for name in (
            "id", "owner_id", "branch_id", "period", "starts_on", "ends_on", "note",
            "reviewed_at", "version")},
        "owner_name": person_name(plan.owner),
        "planned": planned,
    }  # fmt: skip


def _item_out(item: PlanItem) -> dict:
    review = getattr(item, "review", None)
    return {
        "id": item.pk,
        "customer_id": item.customer_id,
        "customer_name": item.customer.name,
        "kind": item.kind,
        "planned_on": item.planned_on,
        "purpose": item.purpose,
        "done": item.done_activity_id is not None,  # type: ignore[attr-defined]
        "activity_id": item.done_activity_id,  # type: ignore[attr-defined]
        "review": {
            "change": review.change,
            "note": review.note,
            "reviewed_by": person_name(review.reviewed_by) if review.reviewed_by else "",
            "reviewed_at": review.reviewed_at,
        }
        if review
        else None,
    }


def completion_out(done: completion.Completion) -> dict:
    """The fields of ``CompletionOut``."""
    return {
        "planned": done.planned,
        "done": done.done,
        "percent": done.percent,
        "targets": done.targets,
    }


def _detail(request: HttpRequest, plan_id: int) -> dict:
    shown = selectors.plan_view_for_user(viewer=viewer_of(request), plan_id=plan_id)
    plan = shown.plan
    return {
        **plan_out(plan, len(shown.items)),
        "reviewed_by": person_name(plan.reviewed_by) if plan.reviewed_by else "",
        "items": [_item_out(i) for i in shown.items],
        "completion": completion_out(shown.completion),
    }


@router.get("", response=PlanPageOut)
def list_plans(request: HttpRequest, query: Query[PlanListQuery]):
    """The week and month plans in your scope, latest first."""
    found = selectors.plan_list_for_user(viewer=viewer_of(request), **query.dict())
    return {
        "results": [plan_out(p, p.planned) for p in found.rows],  # type: ignore[attr-defined]
        "page": found.page,
        "page_size": found.page_size,
        "has_next": found.has_next,
    }


@router.post("", response={201: PlanDetailOut})
def create_plan(request: HttpRequest, payload: PlanIn):
    """Make the week or month plan holding ``day`` (a second one for the period: 409)."""
    plan = services.plan_create(
        viewer=viewer_of(request),
        period=payload.period,
        day=payload.day,
        owner_id=payload.owner_id,
        note=payload.note,
        targets=dict(payload.targets),
        context=context_of(request, CHANNEL),
    )
    return Status(201, _detail(request, plan.pk))


@router.get("/agenda", response=AgendaOut)
def get_agenda(request: HttpRequest, query: Query[AgendaQuery]):
    """A daily agenda: the week plan's contacts for the day, and the day's activities."""
    viewer = viewer_of(request)
    if query.owner_id is None and viewer.user_id is None:
        raise ValidationError({"owner_id": [_("Name whose agenda.")]})
    agenda = selectors.agenda_for(
        viewer=viewer,
        owner_id=query.owner_id or viewer.user_id or 0,
        day=query.day or selectors.today(),
    )
    return {
        "day": agenda["day"],
        "plan_id": agenda["plan"].pk if agenda["plan"] else None,
        "planned": [
            {
                "id": i.pk,
                "customer_id": i.customer_id,
                "customer_name": i.customer.name,
                "kind": i.kind,
                "purpose": i.purpose,
                "done": i.done_activity_id is not None,
                "activity_id": i.done_activity_id,
            }
            for i in agenda["planned"]
        ],  # fmt: skip
        "activities": [
            {
                "id": a.pk,
                "kind": a.kind,
                "status": a.status,
                "subject": a.subject,
                "starts_at": a.starts_at,
                "customer_id": a.customer_id,
                "customer_name": a.customer.name,
            }
            for a in agenda["activities"]
        ],  # fmt: skip
    }


@router.get("/completion", response=list[TierOut])
def get_tier_completion(request: HttpRequest, query: Query[TierQuery]):
    """Planned against actual contacts per value tier, of an account manager, a team, a
    branch, or your whole scope, over a span of days."""
    if query.last < query.first:
        raise ValidationError({"last": [_("The span cannot end before it starts.")]})
    return completion.plan_completion_for(viewer=viewer_of(request), **query.dict())


@router.get("/{int:plan_id}", response=PlanDetailOut)
def get_plan(request: HttpRequest, plan_id: RecordId):
    """One plan: its planned contacts (done or not, and by which activity), reviews and
    completion."""
    return _detail(request, plan_id)


@router.patch("/{int:plan_id}", response=PlanDetailOut)
def update_plan(request: HttpRequest, plan_id: RecordId, payload: PlanPatch):
    """Change the note or replace the targets; a stale version changes nothing (409)."""
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    services.plan_update(
        viewer=viewer_of(request),
        plan_id=plan_id,
        expected_version=version,
        note=payload.note,
        targets=dict(payload.targets) if payload.targets is not None else None,
        context=context_of(request, CHANNEL),
    )
    return _detail(request, plan_id)


@router.post("/{int:plan_id}/items", response={201: PlanDetailOut})
def add_item(request: HttpRequest, plan_id: RecordId, payload: ItemIn):
    """Plan a visit, call or meeting with a customer of the owner's portfolio (another
    customer: 422 naming customer_id)."""
    services.plan_item_add(
        viewer=viewer_of(request),
        plan_id=plan_id,
        expected_version=expected_version(request, payload.version),
        customer_id=payload.customer_id,
        kind=payload.kind,
        planned_on=payload.planned_on,
        purpose=payload.purpose,
        context=context_of(request, CHANNEL),
    )
    return Status(201, _detail(request, plan_id))


@router.delete("/{int:plan_id}/items/{int:item_id}", response=PlanDetailOut)
def remove_item(
    request: HttpRequest, plan_id: RecordId, item_id: RecordId, query: Query[VersionQuery]
):
    """Take a planned contact off the plan; the version as ``?version=`` or If-Match."""
    services.plan_item_remove(
        viewer=viewer_of(request),
        plan_id=plan_id,
        item_id=item_id,
        expected_version=expected_version(request, query.version),
        context=context_of(request, CHANNEL),
    )
    return _detail(request, plan_id)


@router.post("/{int:plan_id}/review", response=PlanDetailOut)
def review_plan(request: HttpRequest, plan_id: RecordId, payload: ReviewIn):
    """Review a week plan: for each planned customer, whether its lifecycle stage or an
    opportunity's stage moved, or nothing did, with a note."""
    services.plan_review(
        viewer=viewer_of(request),
        plan_id=plan_id,
        expected_version=expected_version(request, payload.version),
        lines=[services.ReviewLine(**line.dict()) for line in payload.lines],
        context=context_of(request, CHANNEL),
    )
    return _detail(request, plan_id)


@router.get("/{int:plan_id}/completion", response=CompletionOut)
def get_completion(request: HttpRequest, plan_id: RecordId):
    """The plan's completion (a month's review): planned against done contacts, targets
    against actuals, from the stored activities and opportunities."""
    return completion_out(
        selectors.plan_view_for_user(viewer=viewer_of(request), plan_id=plan_id).completion
    )
