"""The REST API (django-ninja), versioned under /api/v1/, OpenAPI at /api/v1/docs.

Domain errors map to client errors here, once, so handlers stay thin: invalid input 422
with one message per field, a stale version 409/412, a missing version 428, a record
outside the caller's scope 404, a forbidden action 403.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

import pydantic_core
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.renderers import BaseRenderer
from ninja.security import HttpBearer, django_auth

from guanxi.activities.api import my_day_router
from guanxi.activities.api import router as activities_router
from guanxi.audit.api import router as audit_router
from guanxi.concurrency import DuplicateValue, VersionConflict
from guanxi.customers.api import router as customers_router
from guanxi.customers.reveals import RevealLimitReached
from guanxi.insights.api import router as insights_router
from guanxi.kpis.api import router as kpis_router
from guanxi.leads.api import router as leads_router
from guanxi.org.api import auth_router, staff_router
from guanxi.org.api import router as org_router
from guanxi.org.authentication import user_for_token
from guanxi.org.deactivation import PortfolioNotEmpty
from guanxi.plans.api import router as plans_router
from guanxi.sales.api import pipelines_router
from guanxi.sales.api import router as opportunities_router
from guanxi.scheduling.api import router as calendar_router
from guanxi.scheduling.services import ScheduleConflict
from guanxi.service.analysis_api import analysis_router, corrective_actions_router
from guanxi.service.api import calendars_router, sla_policies_router
from guanxi.service.care_api import care_router, follow_ups_router
from guanxi.service.case_api import cases_router, categories_router, root_causes_router
from guanxi.service.survey_api import (
    survey_invitations_router,
    survey_responses_router,
    surveys_router,
)


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` with a token from ``guanxi create-token``."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


def _signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API docs and schema for a logged-in session or a bearer token; others log in first."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated or BearerToken()(request) is not None:
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return guarded


def _lazy_text(value: object) -> str:
    if isinstance(value, Promise):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class JSONRenderer(BaseRenderer):
    """JSON written by pydantic's serialiser, in Rust.

    Django's JSON encoder calls back into Python for every date and amount: on a page of 50
    customers that was a tenth of the request. Dates, times and decimals come out as ISO
    8601 and strings as before; text is UTF-8 rather than escaped.
    """

    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        """The response body."""
        return pydantic_core.to_json(data, fallback=_lazy_text)


api = NinjaAPI(
    title="Guanxi CRM API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
    docs_decorator=_signed_in_only,
    auth=[BearerToken(), django_auth],
    renderer=JSONRenderer(),
)


def _field_errors(error_dict: dict) -> list[dict]:
    return [
        {"field": field, "message": str(message)}
        for field, messages in error_dict.items()
        for message in (messages if isinstance(messages, list) else [messages])
    ]


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        detail = _field_errors(exc.message_dict)
    else:
        detail = [{"field": "", "message": m} for m in exc.messages]
    return api.create_response(request, {"detail": detail}, status=422)


def _schema_field(loc: tuple) -> str:
    # loc is (source, ...): ("query", "page") or ("body", "<parameter>", "field", ...).
    path = list(loc[2:] if loc and loc[0] == "body" else loc[1:])
    return ".".join(str(p) for p in path) or str(loc[0] if loc else "body")


@api.exception_handler(ScheduleConflict)
def double_booking(request: HttpRequest, exc: ScheduleConflict) -> HttpResponse:
    body = {"detail": _field_errors(exc.message_dict), "conflicts": exc.conflicts}
    return api.create_response(request, body, status=409)


@api.exception_handler(RevealLimitReached)
def too_many_reveals(request: HttpRequest, exc: RevealLimitReached) -> HttpResponse:
    return api.create_response(request, {"detail": _field_errors(exc.message_dict)}, status=429)


@api.exception_handler(SchemaValidationError)
def invalid_schema(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    detail = [
        {"field": _schema_field(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(ObjectDoesNotExist)
def not_found(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(Http404)
def http_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or _("Your role does not allow this.")
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(VersionConflict)
def version_conflict(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
    status = 412 if request.headers.get("If-Match") else 409
    body = {
        "detail": [{"field": "version", "message": str(exc)}],
        "current_version": exc.current_version,
    }
    return api.create_response(request, body, status=status)


@api.exception_handler(DuplicateValue)
def duplicate_value(request: HttpRequest, exc: DuplicateValue) -> HttpResponse:
    body: dict = {"detail": [{"field": exc.field, "message": str(exc)}]}
    if exc.existing_id is not None:  # only a record the caller may see
        body["existing_id"] = exc.existing_id
    return api.create_response(request, body, status=409)


@api.exception_handler(IntegrityError)
def conflicting_write(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # A constraint no service checked by name: still the caller's conflict, never a 500.
    message = _("This conflicts with another record; read it again and retry.")
    return api.create_response(request, {"detail": [{"field": "", "message": message}]}, status=409)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": _("Log in or send a bearer token.")}, status=401)


@api.exception_handler(PortfolioNotEmpty)
def portfolio_not_empty(request: HttpRequest, exc: PortfolioNotEmpty) -> HttpResponse:
    body = {"detail": _field_errors(exc.message_dict), "portfolio": exc.remaining}
    return api.create_response(request, body, status=409)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_router("/auth", auth_router)
api.add_router("/org", org_router)
api.add_router("/customers", customers_router)
api.add_router("/audit", audit_router)
api.add_router("/insights", insights_router)
api.add_router("/activities", activities_router)
api.add_router("/my-day", my_day_router)
api.add_router("/pipelines", pipelines_router)
api.add_router("/opportunities", opportunities_router)
api.add_router("/leads", leads_router)
api.add_router("/calendar", calendar_router)
api.add_router("/plans", plans_router)
api.add_router("/staff", staff_router)
api.add_router("/kpis", kpis_router)
api.add_router("/calendars", calendars_router)
api.add_router("/sla-policies", sla_policies_router)
api.add_router("/cases", cases_router)
api.add_router("/case-categories", categories_router)
api.add_router("/root-causes", root_causes_router)
api.add_router("/case-analysis", analysis_router)
api.add_router("/corrective-actions", corrective_actions_router)
api.add_router("/surveys", surveys_router)
api.add_router("/survey-invitations", survey_invitations_router)
api.add_router("/survey-responses", survey_responses_router)
api.add_router("/follow-ups", follow_ups_router)
api.add_router("/care-reminders", care_router)
