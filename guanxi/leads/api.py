"""REST endpoints for leads: thin handlers that parse, call a service or selector, and
return. ``POST /web-form`` takes a lead without a login, checked by the form's token."""

from django.http import HttpRequest
from ninja import Query, Router, Status

from guanxi.api_types import RecordId
from guanxi.customers.api import expected_version
from guanxi.leads import assignment, conversion, scoring, selectors, services, workflow
from guanxi.leads.inputs import LeadFields
from guanxi.leads.models import Lead
from guanxi.leads.schemas import (
    AssigneeIn,
    AssigneeOut,
    AssignIn,
    AssignmentRuleOut,
    AssignmentRulesIn,
    ConvertIn,
    ConvertOut,
    ErrorsOut,
    LeadDetailOut,
    LeadIn,
    LeadListQuery,
    LeadOut,
    LeadPageOut,
    LeadPatch,
    ScoreRuleOut,
    ScoreRulesIn,
    StatusIn,
    WebFormIn,
    WebFormOut,
)
from guanxi.request_context import context_of, viewer_of
from guanxi.sales.api import person_name

CHANNEL = "api"
LEAD_COLUMNS = tuple(name for name in LeadOut.model_fields if name != "owner_name")

router = Router(tags=["leads"])


def lead_out(lead: Lead) -> dict:
    """The fields of ``LeadOut`` (the owner read with it)."""
    return {
        **{name: getattr(lead, name) for name in LEAD_COLUMNS},
        "owner_name": person_name(lead.owner) if lead.owner_id else "",
    }


def _person(user) -> str:
    return person_name(user) if user is not None else ""


def _detail(request: HttpRequest, lead_id: int) -> dict:
    viewer = viewer_of(request)
    lead = selectors.lead_get_for_user(viewer=viewer, lead_id=lead_id)
    personal = selectors.lead_personal_values(
        viewer=viewer, lead=lead, context=context_of(request, CHANNEL)
    )
    history = [
        {
            "at": h["at"],
            "kind": h["kind"],
            "by": _person(h["by"]),
            "change": f"{h['from'] if h['kind'] == 'status' else _person(h['from'])} → "
            + (h["to"] if h["kind"] == "status" else _person(h["to"])),
            "reason": h["reason"],
        }
        for h in selectors.lead_history(lead=lead)
    ]
    return {
        **lead_out(lead),
        **personal,
        "note": lead.note,
        "score_reasons": [
            {"code": code, "label": str(scoring.RULES[code][0]), "points": points}
            for code, points in lead.score_reasons
            if code in scoring.RULES
        ],
        "history": history,
        "next_statuses": workflow.status_moves(lead.status),
    }


@router.get("", response=LeadPageOut)
def list_leads(request: HttpRequest, query: Query[LeadListQuery]):
    """The leads in your scope, newest first; search by name or company, or exactly by a
    phone, e-mail or ID number (audited)."""
    params = query.dict()
    q, page, page_size = params.pop("q"), params.pop("page"), params.pop("page_size")
    found = selectors.lead_list_for_user(
        viewer=viewer_of(request), filters=params, q=q, page=page, page_size=page_size,
        context=context_of(request, CHANNEL),
    )  # fmt: skip
    return {
        "results": [lead_out(x) for x in found.rows],
        "page": found.page,
        "page_size": found.page_size,
        "has_next": found.has_next,
        "count": found.count,
    }


@router.post("", response={201: LeadDetailOut})
def create_lead(request: HttpRequest, payload: LeadIn):
    """Capture a lead from any channel."""
    data = {k: v for k, v in payload.dict().items() if v is not None}
    lead = services.lead_create(
        viewer=viewer_of(request),
        fields=LeadFields.from_mapping(data),
        context=context_of(request, CHANNEL),
    )
    return Status(201, _detail(request, lead.pk))


@router.post("/web-form", response={201: WebFormOut, 403: ErrorsOut}, auth=None)
def web_form(request: HttpRequest, payload: WebFormIn):
    """A lead from a web form, without a login: the form's code and its secret token."""
    data = payload.dict()
    form, token = data.pop("form"), data.pop("token")
    try:
        lead = services.lead_capture_web_form(
            form=form,
            token=token,
            fields=LeadFields.from_mapping(data),
            context=context_of(request, "web_form"),
        )
    except services.WebFormRefused as exc:
        return Status(403, {"detail": [{"field": "token", "message": str(exc)}]})
    return Status(201, {"id": lead.pk})


@router.get("/score-rules", response=list[ScoreRuleOut])
def get_score_rules(request: HttpRequest):
    """The scoring rules and their points (administrators)."""
    viewer = viewer_of(request)
    services.require_score_manager(viewer)
    return _rules(scoring.weights())


def _rules(points: dict[str, int]) -> list[dict]:
    return [
        {"code": code, "label": str(label), "points": points[code]}
        for code, (label, _default) in scoring.RULES.items()
    ]


@router.put("/score-rules", response=list[ScoreRuleOut])
def put_score_rules(request: HttpRequest, payload: ScoreRulesIn):
    """Set the points of scoring rules (administrators)."""
    points = services.score_rules_set(
        viewer=viewer_of(request), points=payload.points, context=context_of(request, CHANNEL)
    )
    return _rules(points)


RULE_FIELDS = ("id", "branch_id", "industry", "territory", "team_id", "priority")


@router.get("/assignment-rules", response=list[AssignmentRuleOut])
def get_assignment_rules(request: HttpRequest):
    """The assignment rules in the order they are tried (administrators)."""
    rules = assignment.assignment_rules_list(viewer=viewer_of(request))
    return [{name: getattr(r, name) for name in RULE_FIELDS} for r in rules]


@router.put("/assignment-rules", response=list[AssignmentRuleOut])
def put_assignment_rules(request: HttpRequest, payload: AssignmentRulesIn):
    """Replace the assignment rules (administrators)."""
    rules = assignment.assignment_rules_set(
        viewer=viewer_of(request),
        rules=[r.dict() for r in payload.rules],
        context=context_of(request, CHANNEL),
    )
    return [{name: getattr(r, name) for name in RULE_FIELDS} for r in rules]


@router.put("/assignees/{int:user_id}", response=AssigneeOut)
def put_assignee(request: HttpRequest, user_id: RecordId, payload: AssigneeIn):
    """A colleague's absence and capacity for new leads (administrators; branch managers
    and team leads for their branch's and team's colleagues)."""
    setting = assignment.assignee_set(
        viewer=viewer_of(request),
        user_id=user_id,
        absent_until=payload.absent_until,
        max_open_leads=payload.max_open_leads,
        context=context_of(request, CHANNEL),
    )
    return {
        "user_id": setting.user_id,
        "absent_until": setting.absent_until,
        "max_open_leads": setting.max_open_leads,
    }


@router.get("/{int:lead_id}", response=LeadDetailOut)
def get_lead(request: HttpRequest, lead_id: RecordId):
    """One lead: personal values as you may see them (a full value is an audited read),
    score reasons, history, and the statuses it may move to."""
    return _detail(request, lead_id)


@router.patch("/{int:lead_id}", response=LeadDetailOut)
def update_lead(request: HttpRequest, lead_id: RecordId, payload: LeadPatch):
    """Change fields of a lead; a stale version changes nothing (409)."""
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    services.lead_update(
        viewer=viewer_of(request),
        lead_id=lead_id,
        changes=LeadFields.from_mapping(data),
        expected_version=version,
        context=context_of(request, CHANNEL),
    )
    return _detail(request, lead_id)


@router.post("/{int:lead_id}/status", response=LeadDetailOut)
def change_status(request: HttpRequest, lead_id: RecordId, payload: StatusIn):
    """Move the lead to another status as the workflow allows; carries the version."""
    services.lead_change_status(
        viewer=viewer_of(request),
        lead_id=lead_id,
        status=payload.status,
        reason=payload.reason,
        expected_version=expected_version(request, payload.version),
        context=context_of(request, CHANNEL),
    )
    return _detail(request, lead_id)


@router.post("/{int:lead_id}/assign", response=LeadDetailOut)
def assign(request: HttpRequest, lead_id: RecordId, payload: AssignIn):
    """Give the lead to an owner, or round-robin within a team; the history is kept."""
    assignment.lead_assign(
        viewer=viewer_of(request),
        lead_id=lead_id,
        owner_id=payload.owner_id,
        team_id=payload.team_id,
        reason=payload.reason,
        expected_version=expected_version(request, payload.version),
        context=context_of(request, CHANNEL),
    )
    return _detail(request, lead_id)


@router.post("/{int:lead_id}/convert", response=ConvertOut)
def convert(request: HttpRequest, lead_id: RecordId, payload: ConvertIn):
    """Make the lead a customer (linked when one matches its ID number, phone or e-mail,
    created otherwise) and, with ``opportunity``, open one; converting twice is a 422."""
    wish = payload.opportunity
    done = conversion.lead_convert(
        viewer=viewer_of(request),
        lead_id=lead_id,
        expected_version=expected_version(request, payload.version),
        context=context_of(request, CHANNEL),
        opportunity=conversion.OpportunityWish(**wish.dict()) if wish else None,
    )
    return {
        "lead": lead_out(done.lead),
        "customer_id": done.customer.pk,
        "customer_created": done.customer_created,
        "opportunity_id": done.opportunity_id,
    }
