"""Plan pages: the week or month plan of an account manager with its daily agenda, planned
contacts added from the portfolio, targets, the weekly review and the completion bars.

Views parse, call a service or selector, and render; the plan's forms post with HTMX and
get the plan's card back (``partials/plan.html``), or, without HTMX, a redirect.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi import policy
from guanxi.concurrency import DuplicateValue, VersionConflict
from guanxi.org.models import Profile
from guanxi.plans import selectors, services
from guanxi.plans.forms import ItemForm, NewPlanForm, ReviewForm, TargetsForm
from guanxi.plans.models import Plan, PlanItem, PlanPeriod
from guanxi.plans.periods import period_bounds, step
from guanxi.request_context import context_of, viewer_of
from guanxi.web.htmx import is_htmx

CHANNEL = "web"


def conflict_message() -> str:
    """What an editor is told when someone else changed the plan first."""
    return _(
        "This plan was changed by someone else in the meantime. Nothing was saved: the plan "
        "below is as it is now; try again."
    )


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return selectors.today()


def _page_link(period: str, day: dt.date, owner_id: int) -> str:
    query = urlencode({"period": period, "date": day.isoformat(), "owner": owner_id})
    return reverse("plans:page") + "?" + query


def _plan_context(
    viewer: policy.Viewer, plan_id: int, forms: dict | None = None, refusal: str = ""
) -> dict:
    """What the plan's card shows: contacts, completion, and the forms the viewer may use."""
    try:
        shown = selectors.plan_view_for_user(viewer=viewer, plan_id=plan_id)
    except Plan.DoesNotExist as exc:
        raise Http404 from exc
    plan, forms = shown.plan, forms or {}
    can_edit = policy.allows(viewer, "plan.edit", plan)
    context = {
        "plan": plan,
        "items": shown.items,
        "completion": shown.completion,
        "can_edit": can_edit,
        "can_review": plan.period == PlanPeriod.WEEK
        and bool(shown.items)
        and policy.allows(viewer, "plan.review", plan),
        "refusal": refusal,
    }
    if can_edit:
        initial = {"version": plan.version}
        context["item_form"] = forms.get("item") or ItemForm(
            initial={**initial, "planned_on": plan.starts_on},
            customers=selectors.portfolio_for(viewer=viewer, plan=plan),
        )
        targets = {f"targets.{t['metric']}": t["target"] for t in shown.completion.targets}
        context["targets_form"] = forms.get("targets") or TargetsForm(
            initial={**initial, "note": plan.note, **targets}
        )
    if context["can_review"]:
        context["review_form"] = forms.get("review") or ReviewForm(
            initial={"version": plan.version}, items=shown.items
        )
    return context


def _page(request: HttpRequest, period: str, day: dt.date, owner_id: int, plan_context: dict):
    viewer = viewer_of(request)
    owners = selectors.plan_owners_for(viewer=viewer)
    first, last = period_bounds(period, day)
    agenda = None
    if period == PlanPeriod.WEEK:
        try:
            agenda = selectors.agenda_for(viewer=viewer, owner_id=owner_id, day=day)
        except Profile.DoesNotExist as exc:
            raise Http404 from exc
    return render(
        request,
        "plans/page.html",
        {
            **plan_context,
            "period": period,
            "day": day,
            "first": first,
            "last": last,
            "owner_id": owner_id,
            "owners": owners,
            "periods": [(p.value, p.label, _page_link(p.value, day, owner_id)) for p in PlanPeriod],
            "previous": _page_link(period, step(period, day, False), owner_id),
            "next": _page_link(period, step(period, day, True), owner_id),
            "today_link": _page_link(period, selectors.today(), owner_id),
            "agenda": agenda,
            "can_plan": any(uid == owner_id for uid, _name in owners)
            and policy.allows(viewer, "plan.create"),
            "new_plan": NewPlanForm(initial={"period": period, "day": day, "owner": owner_id}),
        },
    )


@login_required
@require_GET
def plans_page(request: HttpRequest) -> HttpResponse:
    """The week or month plan of the viewer (or of a colleague they may see) holding a day,
    with that day's agenda; an offer to make the plan when there is none."""
    viewer = viewer_of(request)
    policy.require(viewer, "plan.view")
    period = request.GET.get("period", PlanPeriod.WEEK)
    period = period if period in PlanPeriod.values else PlanPeriod.WEEK
    day = _day(request.GET.get("date", ""))
    owner = request.GET.get("owner", "")
    owner_id = int(owner) if owner.isdigit() and len(owner) < 19 else viewer.user_id or 0
    plan = selectors.plan_for(viewer=viewer, owner_id=owner_id, period=period, day=day)
    return _page(request, period, day, owner_id, _plan_context(viewer, plan.pk) if plan else {})


@login_required
@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One plan (an out-of-scope one is a 404)."""
    context = _plan_context(viewer_of(request), plan_id)
    plan = context["plan"]
    return _page(request, plan.period, plan.starts_on, plan.owner_id, context)


@login_required
@require_POST
def plan_new(request: HttpRequest) -> HttpResponse:
    """Make the week or month plan holding a day, for the viewer or a colleague."""
    viewer = viewer_of(request)
    policy.require(viewer, "plan.create")
    form = NewPlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the period and the account manager of the plan."))
        return redirect("plans:page")
    data = form.cleaned_data
    try:
        plan = services.plan_create(
            viewer=viewer, period=data["period"], day=data["day"], owner_id=data["owner"],
            context=context_of(request, CHANNEL),
        )  # fmt: skip
    except DuplicateValue as exc:
        messages.info(request, str(exc))
        return redirect(_page_link(data["period"], data["day"], data["owner"]))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_page_link(data["period"], data["day"], data["owner"]))
    return redirect(_page_link(plan.period, plan.starts_on, plan.owner_id))


def _answer(
    request: HttpRequest, plan_id: int, forms: dict | None = None, refusal: str = ""
) -> HttpResponse:
    """The plan's card for HTMX; otherwise the page (with the errors, if any) or a redirect."""
    viewer = viewer_of(request)
    if is_htmx(request):
        context = _plan_context(viewer, plan_id, forms, refusal)
        return render(request, "plans/partials/plan.html", context)
    if forms or refusal:
        context = _plan_context(viewer, plan_id, forms, refusal)
        plan = context["plan"]
        return _page(request, plan.period, plan.starts_on, plan.owner_id, context)
    return redirect("plans:detail", plan_id)


def _editable_items(request: HttpRequest, plan_id: int) -> list[PlanItem]:
    """The plan's items when the viewer may change it; a 404 or 403 otherwise."""
    viewer = viewer_of(request)
    try:
        plan = selectors.plan_get_editable_for_user(viewer=viewer, plan_id=plan_id)
    except Plan.DoesNotExist as exc:
        raise Http404 from exc
    return selectors.plan_items(plan=plan)


@login_required
@require_POST
def item_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Plan a contact with a customer of the portfolio."""
    viewer = viewer_of(request)
    try:
        plan = selectors.plan_get_editable_for_user(viewer=viewer, plan_id=plan_id)
    except Plan.DoesNotExist as exc:
        raise Http404 from exc
    form = ItemForm(request.POST, customers=selectors.portfolio_for(viewer=viewer, plan=plan))
    if not form.is_valid():
        return _answer(request, plan_id, {"item": form})
    data = form.cleaned_data
    try:
        services.plan_item_add(
            viewer=viewer, plan_id=plan_id, expected_version=data["version"],
            customer_id=data["customer"], kind=data["kind"], planned_on=data["planned_on"],
            purpose=data["purpose"], context=context_of(request, CHANNEL),
        )  # fmt: skip
    except VersionConflict:
        return _answer(request, plan_id, refusal=conflict_message())
    except ValidationError as exc:
        form.apply_service_errors(exc)
        return _answer(request, plan_id, {"item": form})
    return _answer(request, plan_id)


@login_required
@require_POST
def item_remove(request: HttpRequest, plan_id: int, item_id: int) -> HttpResponse:
    """Take a planned contact off the plan."""
    _editable_items(request, plan_id)
    version = request.POST.get("version", "")
    if not version.isdigit() or len(version) > 10:
        return _answer(request, plan_id, refusal=_("Send the version you read."))
    try:
        services.plan_item_remove(
            viewer=viewer_of(request), plan_id=plan_id, item_id=item_id,
            expected_version=int(version), context=context_of(request, CHANNEL),
        )  # fmt: skip
    except (Plan.DoesNotExist, PlanItem.DoesNotExist) as exc:
        raise Http404 from exc
    except VersionConflict:
        return _answer(request, plan_id, refusal=conflict_message())
    return _answer(request, plan_id)


@login_required
@require_POST
def targets_set(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Change the plan's note and targets."""
    _editable_items(request, plan_id)
    form = TargetsForm(request.POST)
    if not form.is_valid():
        return _answer(request, plan_id, {"targets": form})
    try:
        services.plan_update(
            viewer=viewer_of(request), plan_id=plan_id,
            expected_version=form.cleaned_data["version"], note=form.cleaned_data["note"],
            targets=form.targets(), context=context_of(request, CHANNEL),
        )  # fmt: skip
    except VersionConflict:
        return _answer(request, plan_id, refusal=conflict_message())
    except ValidationError as exc:
        form.apply_service_errors(exc)
        return _answer(request, plan_id, {"targets": form})
    return _answer(request, plan_id)


@login_required
@require_POST
def review(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Review the week: what changed for each planned customer."""
    viewer = viewer_of(request)
    try:
        plan = selectors.plan_get_editable_for_user(
            viewer=viewer, plan_id=plan_id, action="plan.review"
        )
    except Plan.DoesNotExist as exc:
        raise Http404 from exc
    form = ReviewForm(request.POST, items=selectors.plan_items(plan=plan))
    if not form.is_valid():
        return _answer(request, plan_id, {"review": form})
    try:
        services.plan_review(
            viewer=viewer, plan_id=plan_id, expected_version=form.cleaned_data["version"],
            lines=[services.ReviewLine(**line) for line in form.lines()],
            context=context_of(request, CHANNEL),
        )  # fmt: skip
    except VersionConflict:
        return _answer(request, plan_id, refusal=conflict_message())
    except ValidationError as exc:
        form.apply_service_errors(exc)
        return _answer(request, plan_id, {"review": form})
    messages.success(request, _("The week was reviewed."))
    return _answer(request, plan_id)
