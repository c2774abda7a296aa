"""Staff pages: colleagues in reach with what each holds, and the handover of a portfolio
(a preview of what would move, then a confirmation), and deactivation.

Views parse, call a service or selector, and render; an HTMX request gets a partial (the
handover's preview). A colleague out of reach is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi import policy
from guanxi.org import selectors
from guanxi.org.deactivation import staff_deactivate
from guanxi.org.handover import portfolio_hand_over, portfolio_handover_check
from guanxi.org.models import Profile
from guanxi.org.portfolio import KIND_NAMES, records_text
from guanxi.request_context import context_of, viewer_of
from guanxi.web.htmx import is_htmx

CHANNEL = "web"


@login_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    """Colleagues whose portfolio the viewer may hand over, with what each holds."""
    viewer = viewer_of(request)
    policy.require(viewer, "portfolio.view")
    return render(
        request,
        "org/staff_list.html",
        {
            "rows": selectors.staff_portfolio_list(viewer=viewer),
            "kinds": KIND_NAMES,
            "can_deactivate": policy.allows(viewer, "staff.deactivate"),
        },
    )


def _portfolio(request: HttpRequest, user_id: int) -> dict:
    try:
        return selectors.staff_portfolio_get(viewer=viewer_of(request), user_id=user_id)
    except Profile.DoesNotExist as exc:
        raise Http404 from exc


def _receiver_id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 19 else None


def _preview(request: HttpRequest, user_id: int, to_user_id: int | None) -> dict:
    """What would move to the chosen receiver, or why it cannot."""
    if to_user_id is None:
        return {"plan": None, "errors": []}
    try:
        plan = portfolio_handover_check(
            viewer=viewer_of(request), from_user_id=user_id, to_user_id=to_user_id
        )
    except ValidationError as exc:
        return {"plan": None, "errors": [m for ms in exc.message_dict.values() for m in ms]}
    return {"plan": [records_text(kind, p["count"]) for kind, p in plan.items()], "errors": []}


@login_required
@require_http_methods(["GET", "POST"])
def staff_handover(request: HttpRequest, user_id: int) -> HttpResponse:
    """Choose who receives a colleague's portfolio, see what would move, and confirm."""
    viewer = viewer_of(request)
    policy.require(viewer, "portfolio.hand_over")
    portfolio = _portfolio(request, user_id)
    source = request.POST if request.method == "POST" else request.GET
    to_user_id = _receiver_id(source.get("to_user_id", ""))
    reason = source.get("reason", "")[:1000]
    errors: list[str] = []
    if request.method == "POST":
        try:
            handover = portfolio_hand_over(
                viewer=viewer, from_user_id=user_id, to_user_id=to_user_id, reason=reason,
                context=context_of(request, CHANNEL),
            )  # fmt: skip
        except ValidationError as exc:
            errors = [m for ms in exc.message_dict.values() for m in ms]
        else:
            moved = ", ".join(records_text(k, n) for k, n in handover.counts.items())
            messages.success(request, _("Handed over: %(moved)s.") % {"moved": moved})
            return redirect("staff:list")
    preview = _preview(request, user_id, to_user_id)
    if is_htmx(request) and request.method == "GET":
        return render(request, "org/partials/handover_preview.html", preview)
    profile = portfolio["profile"]
    receivers = [
        p
        for p in selectors.account_managers_for_user(viewer, branch_id=profile.branch_id)
        if p.user_id != profile.user_id
    ]
    context = {
        **preview,
        "portfolio": portfolio,
        "held": [records_text(k, n) for k, n in portfolio["counts"].items() if n],
        "receivers": receivers,
        "to_user_id": to_user_id,
        "reason": reason,
        "refused": errors,
    }
    return render(request, "org/handover.html", context, status=422 if errors else 200)


@login_required
@require_POST
def staff_deactivate_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """Deactivate a colleague; while they hold records, say what and offer the handover."""
    try:
        profile = staff_deactivate(
            viewer=viewer_of(request), user_id=user_id, context=context_of(request, CHANNEL)
        )
    except Profile.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect("staff:list")
    messages.success(request, _("%(name)s can no longer log in.") % {"name": str(profile)})
    return redirect("staff:list")
