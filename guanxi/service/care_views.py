"""Today's follow-ups and care list: the account manager's visits due and their
customers' occasions of the week, with the buttons that greet them and record a visit.

Views parse, call a selector or service (which apply the policy and write the audit log)
and render; an HTMX request gets the list partial back. A record out of the viewer's
scope is a 404; a refused action changes nothing and says why.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi import policy
from guanxi.concurrency import VersionConflict
from guanxi.request_context import context_of, viewer_of
from guanxi.service import care, follow_up_selectors, follow_ups
from guanxi.service.care_models import FollowUpOutcome
from guanxi.web.htmx import is_htmx

CHANNEL = "web"


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _refusal(exc: ValidationError) -> str:
    return " ".join(m for messages_ in exc.message_dict.values() for m in messages_)


def _page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    lines = care.care_list_for_user(viewer=viewer, context=context_of(request, CHANNEL))
    context = {
        "lines": lines,
        "open_count": sum(not line.done for line in lines),
        "visits": follow_up_selectors.follow_ups_due_today(viewer),
        "outcomes": FollowUpOutcome.choices,
        "language": "en" if (get_language() or "").startswith("en") else "zh-hans",
    }
    partial = is_htmx(request)
    template = "service/partials/care_list.html" if partial else "service/care.html"
    return render(request, template, {**context, "partial": partial})


@login_required
@require_GET
def care_page(request: HttpRequest) -> HttpResponse:
    """Today's follow-up visits and care list of the viewer."""
    policy.require(viewer_of(request), "care_reminder.view")
    return _page(request)


def _after(request: HttpRequest) -> HttpResponse:
    return _page(request) if is_htmx(request) else redirect("service:care")


@login_required
@require_POST
def care_greet(request: HttpRequest) -> HttpResponse:
    """Send the greeting of an occasion by e-mail, or mark it done by phone."""
    viewer = viewer_of(request)
    policy.require(viewer, "care_reminder.act")
    channel = request.POST.get("channel", "")
    customer_id = _int(request.POST.get("customer_id", ""))
    version = _int(request.POST.get("version", "0"))
    if customer_id is None or version is None:
        messages.error(request, _("Reload the page and try again."))
        return _after(request)
    try:
        care.care_greet(
            viewer=viewer, customer_id=customer_id, occasion=request.POST.get("occasion", ""),
            channel=channel, language=request.POST.get("language", "zh-hans"),
            expected_version=version, context=context_of(request, CHANNEL),
        )  # fmt: skip
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, _refusal(exc))
    except VersionConflict:
        messages.error(request, _("Someone else did this meanwhile; nothing was changed."))
    else:
        done = _("Greeting sent.") if channel == "email" else _("Marked done by phone.")
        messages.success(request, done)
    return _after(request)


@login_required
@require_POST
def follow_up_outcome(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    """Record the outcome of a follow-up visit (an issue found opens a case)."""
    viewer = viewer_of(request)
    version = _int(request.POST.get("version", ""))
    try:
        follow_ups.follow_up_record(
            viewer=viewer, follow_up_id=follow_up_id, outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""), expected_version=version or 0,
            context=context_of(request, CHANNEL),
        )  # fmt: skip
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, _refusal(exc))
    except VersionConflict:
        messages.error(request, _("Someone else did this meanwhile; nothing was changed."))
    else:
        messages.success(request, _("The visit's outcome was recorded."))
    return _after(request)
