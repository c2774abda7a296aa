"""Survey pages: the public survey a customer opens from their link, and the
satisfaction dashboard.

The public page needs no login: the link's token is the key. Opening it (GET) only shows
the form, so mail scanners that open links record nothing; submitting it (POST, with
Django's CSRF check like every form) records the answer once. An unknown link is a 404;
one used or expired a 410 saying so.
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from guanxi import policy
from guanxi.request_context import context_of, viewer_of
from guanxi.service import survey_selectors, surveys
from guanxi.service.survey_forms import SurveyForm
from guanxi.service.survey_models import SurveyLanguage
from guanxi.web.htmx import is_htmx

CHANNEL = "survey"
LANGUAGES = {"zh": SurveyLanguage.ZH, "zh-hans": SurveyLanguage.ZH, "en": SurveyLanguage.EN}


def _closed(request: HttpRequest, state: str) -> HttpResponse:
    return render(request, "service/survey_closed.html", {"state": state}, status=410)


def _private(response: HttpResponse) -> HttpResponse:
    # The link is the key: never sent on to another site, never indexed. ("no-referrer"
    # would make browsers send "Origin: null" with the form, which the CSRF check refuses.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The survey a customer's link opens, in their language (``?lang=en`` switches)."""
    invitation = surveys.invitation_for_token(token)
    if invitation is None:
        raise Http404
    language = LANGUAGES.get(request.GET.get("lang", ""), invitation.language)
    with translation.override(language):
        return _private(_answer(request, token, invitation, language))


def _answer(request: HttpRequest, token: str, invitation, language: str) -> HttpResponse:
    state = surveys.token_state(invitation)
    if state != surveys.OPEN:
        return _closed(request, state)
    form = SurveyForm(request.POST or None, template=invitation.template)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_response_record(
                token=token, context=context_of(request, CHANNEL), **form.answers()
            )
        except surveys.SurveyClosed as exc:
            return _closed(request, exc.state)
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            return render(request, "service/survey_thanks.html", {"language": language})
    context = {
        "form": form,
        "template": invitation.template,
        "language": language,
        "other_language": "zh" if language == SurveyLanguage.EN else "en",
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "service/survey_form.html", context, status=status)


GROUP_CHOICES = ("branch", "team", "agent", "product")


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def satisfaction_dashboard(request: HttpRequest) -> HttpResponse:
    """CSAT, NPS and answers per month, by branch, team, agent or product, and the service
    elements' importance × performance, over the answers the viewer may read."""
    viewer = viewer_of(request)
    policy.require(viewer, "survey_response.view")
    group_by = request.GET.get("group_by") or "branch"
    if group_by not in GROUP_CHOICES:
        group_by = "branch"
    start, end = _day(request.GET.get("start")), _day(request.GET.get("end"))
    if start and end and start > end:
        start, end = end, start
    trend = survey_selectors.satisfaction_scores(
        viewer=viewer, group_by="all", start=start, end=end
    )
    groups = survey_selectors.satisfaction_scores(
        viewer=viewer, group_by=group_by, start=start, end=end
    )
    elements = survey_selectors.element_scores(viewer=viewer, start=start, end=end)
    chart = {
        "months": [r.month.strftime("%Y-%m") for r in trend if r.month],
        "csat": [r.csat for r in trend if r.month],
        "nps": [r.nps for r in trend if r.month],
        "responses": [r.responses for r in trend if r.month],
        "elements": [{"name": e.label, "value": [e.performance, e.importance]} for e in elements],
    }
    context = {
        "group_by": group_by,
        "group_choices": GROUP_CHOICES,
        "start": start,
        "end": end,
        "trend": trend,
        "groups": groups,
        "elements": elements,
        "chart": chart,
    }
    template = (
        "service/partials/satisfaction_results.html"
        if is_htmx(request)
        else "service/satisfaction.html"
    )
    return render(request, template, context)
