"""REST endpoints of surveys, survey invitations and survey responses: thin handlers that
parse, call a service or selector, and return."""

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Query, Router, Status

from guanxi.api_types import RecordId
from guanxi.customers.api import expected_version
from guanxi.request_context import context_of, viewer_of
from guanxi.service import survey_selectors, survey_templates, surveys
from guanxi.service.survey_models import SurveyInvitation, SurveyResponse, SurveyTemplate
from guanxi.service.survey_schemas import (
    InvitationCreatedOut,
    InvitationIn,
    InvitationListQuery,
    InvitationPageOut,
    PeriodicInvitationIn,
    ReportOut,
    ReportQuery,
    ResponseListQuery,
    ResponseOut,
    ResponsePageOut,
    SurveyIn,
    SurveyOut,
    SurveyPatch,
)

CHANNEL = "api"
surveys_router = Router(tags=["service"])
survey_invitations_router = Router(tags=["service"])
survey_responses_router = Router(tags=["service"])
SURVEY_FIELDS = tuple(SurveyOut.model_fields)


def survey_out(template: SurveyTemplate) -> dict:
    return {name: getattr(template, name) for name in SURVEY_FIELDS}


def invitation_out(invitation: SurveyInvitation) -> dict:
    return {
        "id": invitation.pk,
        "template_id": invitation.template_id,
        "customer_id": invitation.customer_id,
        "case_id": invitation.case_id,
        "language": invitation.language,
        "state": surveys.token_state(invitation),
        "sent_at": invitation.sent_at,
        "expires_at": invitation.expires_at,
        "answered_at": invitation.answered_at,
    }


def response_out(response: SurveyResponse) -> dict:
    return {
        "id": response.pk,
        "invitation_id": response.invitation_id,
        "template_id": response.template_id,
        "customer_id": response.customer_id,
        "customer_name": response.customer.name,
        "case_id": response.case_id,
        "answered_at": response.answered_at,
        "csat": response.csat,
        "nps": response.nps,
        "comment": response.comment,
        "elements": [
            {"element": r.element, "importance": r.importance, "performance": r.performance}
            for r in response.element_ratings.all()
        ],
        "branch_id": response.branch_id,
        "team_id": response.team_id,
        "agent_id": response.agent_id,
        "product_id": response.product_id,
        "follow_up_case_id": response.follow_up_case_id,
    }


def _page(found: survey_selectors.Page, out) -> dict:
    return {
        "results": [out(row) for row in found.rows],
        "count": found.count,
        "page": found.page,
        "page_size": found.page_size,
        "has_next": found.has_next,
    }


@surveys_router.get("", response=list[SurveyOut])
def list_surveys(request: HttpRequest):
    """The surveys, by name."""
    found = survey_selectors.survey_template_list_for_user(viewer=viewer_of(request))
    return [survey_out(t) for t in found]


@surveys_router.post("", response={201: SurveyOut})
def create_survey(request: HttpRequest, payload: SurveyIn):
    """Add a survey (administrators): its questions in both languages."""
    data = payload.dict()
    template = survey_templates.survey_template_create(
        viewer=viewer_of(request), context=context_of(request, CHANNEL), **data
    )
    return Status(201, survey_out(template))


@surveys_router.get("/{int:survey_id}", response=SurveyOut)
def get_survey(request: HttpRequest, survey_id: RecordId):
    """One survey."""
    viewer = viewer_of(request)
    return survey_out(
        survey_selectors.survey_template_get_for_user(viewer=viewer, template_id=survey_id)
    )


@surveys_router.patch("/{int:survey_id}", response=SurveyOut)
def update_survey(request: HttpRequest, survey_id: RecordId, payload: SurveyPatch):
    """Change fields of a survey (administrators); a stale version changes nothing (409)."""
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    template = survey_templates.survey_template_update(
        viewer=viewer_of(request), template_id=survey_id, changes=data,
        expected_version=version, context=context_of(request, CHANNEL),
    )  # fmt: skip
    return survey_out(template)


@survey_invitations_router.get("", response=InvitationPageOut)
def list_invitations(request: HttpRequest, query: Query[InvitationListQuery]):
    """The invitations of the customers and cases you see, newest first."""
    params = query.dict()
    page, page_size = params.pop("page"), params.pop("page_size")
    found = survey_selectors.survey_invitation_list_for_user(
        viewer=viewer_of(request), filters=params, page=page, page_size=page_size
    )
    return _page(found, invitation_out)


@survey_invitations_router.post("", response={201: InvitationCreatedOut})
def create_invitation(request: HttpRequest, payload: InvitationIn):
    """Invite a customer to a survey (with ``mail``, e-mailing them the link); the answer
    shows the public link once (only a hash of its token is kept)."""
    invitation, raw = surveys.survey_invite(
        viewer=viewer_of(request), context=context_of(request, CHANNEL), **payload.dict()
    )
    link = request.build_absolute_uri(surveys.survey_link(raw))
    return Status(201, {**invitation_out(invitation), "link": link, "mailed": payload.mail})


@survey_invitations_router.post("/periodic", response={201: list[InvitationCreatedOut]})
def create_periodic_invitations(request: HttpRequest, payload: PeriodicInvitationIn):
    """Invite several customers to a periodic survey at once; each new invitation shows
    its public link once. Customers still holding an open invitation to it are skipped."""
    created = surveys.survey_invite_periodic(
        viewer=viewer_of(request), context=context_of(request, CHANNEL), **payload.dict()
    )
    return Status(
        201,
        [
            {
                **invitation_out(i.invitation),
                "link": request.build_absolute_uri(surveys.survey_link(i.token)),
                "mailed": i.mailed,
            }
            for i in created
        ],
    )


@survey_responses_router.get("", response=ResponsePageOut)
def list_responses(request: HttpRequest, query: Query[ResponseListQuery]):
    """The answers of the customers and cases you see, newest first."""
    params = query.dict()
    page, page_size = params.pop("page"), params.pop("page_size")
    found = survey_selectors.survey_response_list_for_user(
        viewer=viewer_of(request), filters=params, page=page, page_size=page_size
    )
    return _page(found, response_out)


@survey_responses_router.get("/report", response=ReportOut)
def report(request: HttpRequest, query: Query[ReportQuery]):
    """CSAT, NPS and answers per month (by branch, team, agent or product), and each
    service element's importance × performance, over the answers you see."""
    viewer = viewer_of(request)
    scores = survey_selectors.satisfaction_scores(viewer=viewer, **query.dict())
    elements = survey_selectors.element_scores(viewer=viewer, start=query.start, end=query.end)
    return {
        "scores": [asdict(row) for row in scores],
        "elements": [{**asdict(row), "gap": row.gap} for row in elements],
    }


@survey_responses_router.get("/{int:response_id}", response=ResponseOut)
def get_response(request: HttpRequest, response_id: RecordId):
    """One answer of a customer or case you see."""
    found = survey_selectors.survey_response_get_for_user(
        viewer=viewer_of(request), response_id=response_id
    )
    return response_out(found)
