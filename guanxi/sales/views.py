"""Sales pages: the opportunity list, the pipeline board, detail, create/edit, forecast.

Views parse, call a selector or service (which apply the policy and write the audit log)
and render. An opportunity out of the viewer's scope is a 404. The board's drag and drop
posts to the same stage-move URL as the detail page's form (``static/sales/board.js``),
asking for JSON; a stale version answers 409 with a message the board shows.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi import policy
from guanxi.activities.selectors import ActivityFilter, activity_list_for_user, audit_activity_read
from guanxi.concurrency import VersionConflict
from guanxi.request_context import context_of, page_number, viewer_of
from guanxi.sales import forecast, selectors, services, workflow
from guanxi.sales.forms import (
    LoseForm,
    OpportunityCreateForm,
    OpportunityEditForm,
    StageMoveForm,
    TeamForm,
    VersionForm,
)
from guanxi.sales.inputs import EDITABLE, OpportunityFields
from guanxi.sales.models import LossReason, Opportunity, StageKind

CHANNEL = "web"
# The board's won and lost columns show what closed in this many days.
BOARD_CLOSED_DAYS = 30


def conflict_message() -> str:
    """What an editor is told when someone else changed the opportunity first."""
    return _(
        "This opportunity was changed by someone else in the meantime. Nothing was saved: "
        "reload the page to see the current values, then try again."
    )


def _opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    try:
        return selectors.opportunity_get_for_user(
            viewer=viewer_of(request), opportunity_id=opportunity_id
        )
    except Opportunity.DoesNotExist as exc:
        raise Http404 from exc


def _editable(request: HttpRequest, opportunity_id: int) -> Opportunity:
    opportunity = _opportunity(request, opportunity_id)
    policy.require(viewer_of(request), "opportunity.edit", opportunity)
    return opportunity


def _int_or_none(text: str | None) -> int | None:
    try:
        value = int(text or "")
    except ValueError:
        return None
    return value if 0 < value < 2**63 else None


@login_required
@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    """The viewer's opportunities, soonest expected close first; filter by status."""
    viewer = viewer_of(request)
    status = request.GET.get("status", "open")
    status = status if status in StageKind.values else ""
    q = request.GET.get("q", "")[:100]
    found = selectors.opportunity_list_for_user(
        viewer=viewer, filters={"status": status}, q=q, page=page_number(request)
    )
    return render(
        request,
        "sales/list.html",
        {
            "page": found,
            "status": status,
            "q": q,
            "statuses": StageKind.choices,
            "can_create": policy.allows(viewer, "opportunity.create"),
        },
    )


@login_required
@require_GET
def opportunity_board(request: HttpRequest) -> HttpResponse:
    """The pipeline board: a column per stage, cards dragged between them."""
    viewer = viewer_of(request)
    pipelines = selectors.pipeline_list_for_user(viewer=viewer)  # the default first
    wanted = _int_or_none(request.GET.get("pipeline"))
    pipeline = next((p for p in pipelines if wanted in (None, p.pk)), None)
    if pipeline is None:
        raise Http404
    columns = selectors.board_for_user(
        viewer=viewer,
        pipeline=pipeline,
        closed_since=timezone.now() - timedelta(days=BOARD_CLOSED_DAYS),
    )
    return render(
        request,
        "sales/board.html",
        {
            "pipeline": pipeline,
            "pipelines": pipelines,
            "columns": columns,
            "moves": {
                kind.value: sorted(k.value for k in targets)
                for kind, targets in workflow.MOVES.items()
            },
            "can_edit": policy.allows(viewer, "opportunity.edit"),
            "closed_days": BOARD_CLOSED_DAYS,
        },
    )


@login_required
@require_GET
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """One opportunity: its fields, activities, team, stage history and the moves it allows."""
    opportunity = _opportunity(request, opportunity_id)
    return render(request, "sales/detail.html", _detail_context(request, opportunity))


def _detail_context(request: HttpRequest, opportunity: Opportunity, **forms) -> dict:
    viewer = viewer_of(request)
    # The newest activities worked on the opportunity: their notes are a read to audit.
    activities, _more = activity_list_for_user(
        viewer=viewer, filters=ActivityFilter(opportunity_id=opportunity.pk), page_size=20
    )
    audit_activity_read(viewer, activities, context_of(request, "web"))
    stages = list(opportunity.pipeline.stages.order_by("order"))
    allowed = workflow.next_stages(opportunity.stage, stages)
    can_edit = policy.allows(viewer, "opportunity.edit", opportunity)
    version = {"version": opportunity.version}
    return {
        "opportunity": opportunity,
        "activities": activities,
        "can_log": policy.allows(viewer, "activity.log"),
        "stages": stages,
        "team": selectors.opportunity_team(opportunity=opportunity),
        "history": selectors.opportunity_stage_history(opportunity=opportunity),
        "can_edit": can_edit,
        "can_win": can_edit and any(s.is_won for s in allowed),
        "can_lose": can_edit and any(s.is_lost for s in allowed),
        "move_form": forms.get("move_form")
        or StageMoveForm(initial=version, stages=[s for s in allowed if not s.is_lost]),
        "lose_form": forms.get("lose_form") or LoseForm(initial=version),
        "win_form": VersionForm(initial=version),
        "loss_reason_label": LossReason(opportunity.loss_reason).label
        if opportunity.loss_reason
        else "",
    }


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request: HttpRequest) -> HttpResponse:
    """Open an opportunity (``?customer=<id>`` fills in the customer)."""
    viewer = viewer_of(request)
    policy.require(viewer, "opportunity.create")
    if request.method == "POST":
        form = OpportunityCreateForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
            try:
                opportunity = services.opportunity_create(
                    viewer=viewer,
                    fields=OpportunityFields.from_mapping(data),
                    context=context_of(request, CHANNEL),
                )
            except ValidationError as exc:
                form.apply_service_errors(exc)
            else:
                messages.success(request, _("The opportunity was opened."))
                return redirect("sales:detail", opportunity_id=opportunity.pk)
    else:
        form = OpportunityCreateForm(
            initial={"customer_id": _int_or_none(request.GET.get("customer"))}
        )
    return render(request, "sales/form.html", {"form": form, "opportunity": None})


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Change an opportunity's fields; a concurrent change is refused with a message."""
    viewer = viewer_of(request)
    opportunity = _editable(request, opportunity_id)
    owners = selectors.owner_candidates(opportunity=opportunity)
    if request.method == "POST":
        form = OpportunityEditForm(request.POST, owners=owners)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in EDITABLE}
            data["next_step"] = data.get("next_step") or ""
            try:
                services.opportunity_update(
                    viewer=viewer,
                    opportunity_id=opportunity_id,
                    changes=OpportunityFields.from_mapping(data),
                    expected_version=form.cleaned_data["version"],
                    context=context_of(request, CHANNEL),
                )
            except ValidationError as exc:
                form.apply_service_errors(exc)
            except VersionConflict:
                form.add_error(None, conflict_message())
            else:
                messages.success(request, _("The opportunity was saved."))
                return redirect("sales:detail", opportunity_id=opportunity_id)
    else:
        form = OpportunityEditForm(
            initial={
                **{name: getattr(opportunity, name) for name in EDITABLE},
                "version": opportunity.version,
            },
            owners=owners,
        )
    return render(request, "sales/form.html", {"form": form, "opportunity": opportunity})


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _moved(request: HttpRequest, opportunity: Opportunity, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {
                "version": opportunity.version,
                "probability": opportunity.probability,
                "status": opportunity.status,
                "message": message,
            }
        )
    messages.success(request, message)
    return redirect("sales:detail", opportunity_id=opportunity.pk)


def _refused(
    request: HttpRequest, opportunity: Opportunity, status: int, message: str, **forms
) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"message": message}, status=status)
    context = _detail_context(request, opportunity, **forms)
    context["refusal"] = message
    return render(request, "sales/detail.html", context, status=status)


@login_required
@require_POST
def opportunity_move(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Move to another stage (the detail page's form and the board's drag and drop)."""
    viewer = viewer_of(request)
    opportunity = _editable(request, opportunity_id)
    stages = list(opportunity.pipeline.stages.order_by("order"))
    form = StageMoveForm(request.POST, stages=stages)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _refused(request, opportunity, 422, message, move_form=form)
    try:
        moved = services.opportunity_move_stage(
            viewer=viewer,
            opportunity_id=opportunity_id,
            stage_id=form.cleaned_data["stage_id"],
            expected_version=form.cleaned_data["version"],
            loss_reason=form.cleaned_data["loss_reason"],
            loss_note=form.cleaned_data["loss_note"],
            context=context_of(request, CHANNEL),
        )
    except ValidationError as exc:
        message = " ".join(exc.messages)
        return _refused(request, opportunity, 422, message, move_form=form)
    except VersionConflict:
        return _refused(request, opportunity, 409, conflict_message())
    return _moved(request, moved, _("Moved to %(stage)s.") % {"stage": moved.stage.name})


@login_required
@require_POST
def opportunity_win(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Close as won."""
    opportunity = _editable(request, opportunity_id)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _refused(request, opportunity, 422, _("Send the version you read."))
    try:
        won = services.opportunity_win(
            viewer=viewer_of(request),
            opportunity_id=opportunity_id,
            expected_version=form.cleaned_data["version"],
            context=context_of(request, CHANNEL),
        )
    except ValidationError as exc:
        return _refused(request, opportunity, 422, " ".join(exc.messages))
    except VersionConflict:
        return _refused(request, opportunity, 409, conflict_message())
    return _moved(request, won, _("The opportunity was won."))


@login_required
@require_POST
def opportunity_lose(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Close as lost, with a reason."""
    opportunity = _editable(request, opportunity_id)
    form = LoseForm(request.POST)
    if not form.is_valid():
        return _refused(request, opportunity, 422, _("Choose a loss reason."), lose_form=form)
    try:
        lost = services.opportunity_lose(
            viewer=viewer_of(request),
            opportunity_id=opportunity_id,
            loss_reason=form.cleaned_data["loss_reason"],
            loss_note=form.cleaned_data["loss_note"],
            expected_version=form.cleaned_data["version"],
            context=context_of(request, CHANNEL),
        )
    except ValidationError as exc:
        form.apply_service_errors(exc)
        return _refused(request, opportunity, 422, " ".join(exc.messages), lose_form=form)
    except VersionConflict:
        return _refused(request, opportunity, 409, conflict_message())
    return _moved(request, lost, _("The opportunity was closed as lost."))


@login_required
@require_GET
def opportunity_forecast(request: HttpRequest) -> HttpResponse:
    """The weighted forecast by month, owner, team or branch."""
    by = request.GET.get("by", "month")
    by = by if by in forecast.GROUPINGS else "month"
    result = forecast.forecast_for_user(viewer=viewer_of(request), by=by)
    return render(
        request,
        "sales/forecast.html",
        {"forecast": result, "by": by, "groupings": list(forecast.GROUPINGS.items())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_team(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """Who worked on the opportunity and each one's share of the credit (adding up to 100)."""
    opportunity = _editable(request, opportunity_id)
    colleagues = selectors.team_candidates(opportunity=opportunity)
    if request.method == "POST":
        form = TeamForm(request.POST, colleagues=colleagues)
        if form.is_valid():
            try:
                services.opportunity_set_team(
                    viewer=viewer_of(request),
                    opportunity_id=opportunity_id,
                    members=form.members(),
                    expected_version=form.cleaned_data["version"],
                    context=context_of(request, CHANNEL),
                )
            except ValidationError as exc:
                for messages_ in exc.message_dict.values():
                    for message in messages_:
                        form.add_error(None, message)
            except VersionConflict:
                form.add_error(None, conflict_message())
            else:
                messages.success(request, _("The team was saved."))
                return redirect("sales:detail", opportunity_id=opportunity_id)
    else:
        initial: dict = {"version": opportunity.version}
        for row, member in enumerate(selectors.opportunity_team(opportunity=opportunity)):
            initial |= {f"user_{row}": member.user_id, f"share_{row}": member.share,
                        f"role_{row}": member.role}  # fmt: skip
        form = TeamForm(initial=initial, colleagues=colleagues)
    return render(request, "sales/team.html", {"form": form, "opportunity": opportunity})
