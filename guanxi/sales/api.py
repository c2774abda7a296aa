"""REST endpoints for pipelines and opportunities: thin handlers that parse, call a service
or selector, and return."""

from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Status

from guanxi.api_types import RecordId
from guanxi.customers.api import expected_version
from guanxi.request_context import context_of, viewer_of
from guanxi.sales import forecast, selectors, services, workflow
from guanxi.sales.inputs import OpportunityFields, TeamMember
from guanxi.sales.models import Opportunity
from guanxi.sales.schemas import (
    ForecastOut,
    ForecastQuery,
    FromSuggestionIn,
    LoseIn,
    OpportunityDetailOut,
    OpportunityIn,
    OpportunityListQuery,
    OpportunityOut,
    OpportunityPageOut,
    OpportunityPatch,
    PipelineOut,
    StageMoveIn,
    TeamIn,
    TeamOut,
    VersionIn,
)

CENTS = Decimal("0.01")
# OpportunityOut's fields that are the model's own.
OPPORTUNITY_COLUMNS = tuple(
    name
    for name in OpportunityOut.model_fields
    if name not in ("customer_name", "stage_name", "owner_name", "weighted_amount")
)

router = Router(tags=["opportunities"])
pipelines_router = Router(tags=["opportunities"])


def person_name(user) -> str:
    """A colleague's display name, or their username."""
    profile = getattr(user, "profile", None)
    return (profile and profile.display_name) or user.get_username()


def opportunity_out(opportunity: Opportunity) -> dict:
    """The fields of ``OpportunityOut`` (customer, stage and owner read with it)."""
    own = {name: getattr(opportunity, name) for name in OPPORTUNITY_COLUMNS}
    return {
        **own,
        "customer_name": opportunity.customer.name,
        "stage_name": opportunity.stage.name,
        "owner_name": person_name(opportunity.owner),
        "weighted_amount": opportunity.weighted_amount.quantize(CENTS),
    }


def _detail(viewer, opportunity_id: int) -> dict:
    opportunity = selectors.opportunity_get_for_user(viewer=viewer, opportunity_id=opportunity_id)
    team = selectors.opportunity_team(opportunity=opportunity)
    stages = list(opportunity.pipeline.stages.order_by("order"))
    return {
        **opportunity_out(opportunity),
        "team": [
            {"user_id": m.user_id, "name": person_name(m.user), "share": m.share, "role": m.role}
            for m in team
        ],
        "next_stage_ids": [s.pk for s in workflow.next_stages(opportunity.stage, stages)],
    }


@pipelines_router.get("", response=list[PipelineOut])
def list_pipelines(request: HttpRequest):
    """The active pipelines and their stages, the default first."""
    return [
        {
            "id": p.pk,
            "code": p.code,
            "name": p.name,
            "name_en": p.name_en,
            "name_zh": p.name_zh,
            "business_line": p.business_line,
            "is_default": p.is_default,
            "stages": [
                {
                    "id": s.pk,
                    "code": s.code,
                    "order": s.order,
                    "name": s.name,
                    "name_en": s.name_en,
                    "name_zh": s.name_zh,
                    "probability": s.probability,
                    "kind": s.kind.value,
                }
                for s in p.stages.all()
            ],
        }
        for p in selectors.pipeline_list_for_user(viewer=viewer_of(request))
    ]


@router.get("", response=OpportunityPageOut)
def list_opportunities(request: HttpRequest, query: Query[OpportunityListQuery]):
    """The opportunities in your scope, soonest expected close first, with filters."""
    params = query.dict()
    q, page, page_size = params.pop("q"), params.pop("page"), params.pop("page_size")
    found = selectors.opportunity_list_for_user(
        viewer=viewer_of(request), filters=params, q=q, page=page, page_size=page_size
    )
    return {
        "results": [opportunity_out(o) for o in found.rows],
        "page": found.page,
        "page_size": found.page_size,
        "has_next": found.has_next,
    }


@router.post("", response={201: OpportunityDetailOut})
def create_opportunity(request: HttpRequest, payload: OpportunityIn):
    """Open an opportunity for a customer in your scope."""
    viewer = viewer_of(request)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    opportunity = services.opportunity_create(
        viewer=viewer,
        fields=OpportunityFields.from_mapping(data),
        context=context_of(request, "api"),
    )
    return Status(201, _detail(viewer, opportunity.pk))


@router.get("/forecast", response=ForecastOut)
def get_forecast(request: HttpRequest, query: Query[ForecastQuery]):
    """The weighted forecast of your open opportunities by month, owner, team or branch."""
    return forecast.forecast_for_user(viewer=viewer_of(request), **query.dict())


@router.post("/from-suggestion", response={201: OpportunityDetailOut})
def create_from_suggestion(request: HttpRequest, payload: FromSuggestionIn):
    """Work a cross-sell suggestion as an opportunity for the product the customer lacks."""
    viewer = viewer_of(request)
    data = payload.dict()
    suggestion_id = data.pop("suggestion_id")
    opportunity = services.opportunity_create_from_suggestion(
        viewer=viewer,
        suggestion_id=suggestion_id,
        fields=OpportunityFields.from_mapping({k: v for k, v in data.items() if v is not None}),
        context=context_of(request, "api"),
    )
    return Status(201, _detail(viewer, opportunity.pk))


@router.get("/{int:opportunity_id}", response=OpportunityDetailOut)
def get_opportunity(request: HttpRequest, opportunity_id: RecordId):
    """One opportunity with its team and the stages it may move to."""
    return _detail(viewer_of(request), opportunity_id)


@router.patch("/{int:opportunity_id}", response=OpportunityDetailOut)
def update_opportunity(request: HttpRequest, opportunity_id: RecordId, payload: OpportunityPatch):
    """Change fields of an opportunity; a stale version changes nothing (409)."""
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    viewer = viewer_of(request)
    services.opportunity_update(
        viewer=viewer,
        opportunity_id=opportunity_id,
        changes=OpportunityFields.from_mapping(data),
        expected_version=version,
        context=context_of(request, "api"),
    )
    return _detail(viewer, opportunity_id)


@router.post("/{int:opportunity_id}/stage", response=OpportunityDetailOut)
def move_stage(request: HttpRequest, opportunity_id: RecordId, payload: StageMoveIn):
    """Move to another stage of the pipeline as the workflow allows; carries the version."""
    viewer = viewer_of(request)
    services.opportunity_move_stage(
        viewer=viewer,
        opportunity_id=opportunity_id,
        stage_id=payload.stage_id,
        expected_version=expected_version(request, payload.version),
        loss_reason=payload.loss_reason,
        loss_note=payload.loss_note,
        context=context_of(request, "api"),
    )
    return _detail(viewer, opportunity_id)


@router.post("/{int:opportunity_id}/win", response=OpportunityDetailOut)
def win(request: HttpRequest, opportunity_id: RecordId, payload: VersionIn):
    """Close the opportunity as won."""
    viewer = viewer_of(request)
    services.opportunity_win(
        viewer=viewer,
        opportunity_id=opportunity_id,
        expected_version=expected_version(request, payload.version),
        context=context_of(request, "api"),
    )
    return _detail(viewer, opportunity_id)


@router.post("/{int:opportunity_id}/lose", response=OpportunityDetailOut)
def lose(request: HttpRequest, opportunity_id: RecordId, payload: LoseIn):
    """Close the opportunity as lost, with a loss reason."""
    viewer = viewer_of(request)
    services.opportunity_lose(
        viewer=viewer,
        opportunity_id=opportunity_id,
        loss_reason=payload.loss_reason,
        loss_note=payload.loss_note,
        expected_version=expected_version(request, payload.version),
        context=context_of(request, "api"),
    )
    return _detail(viewer, opportunity_id)


@router.put("/{int:opportunity_id}/team", response=TeamOut)
def set_team(request: HttpRequest, opportunity_id: RecordId, payload: TeamIn):
    """Replace the team and each member's contribution share (adding up to 100)."""
    viewer = viewer_of(request)
    services.opportunity_set_team(
        viewer=viewer,
        opportunity_id=opportunity_id,
        members=[TeamMember(m.user_id, m.share, m.role) for m in payload.members],
        expected_version=expected_version(request, payload.version),
        context=context_of(request, "api"),
    )
    detail = _detail(viewer, opportunity_id)
    return {"members": detail["team"], "version": detail["version"]}
