"""Lead pages: the list, detail, capture and edit, status moves, assignment, conversion.

Views parse, call a selector or service (which apply the policy and write the audit log)
and render. A lead out of the viewer's scope is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi import policy
from guanxi.activities.selectors import audit_activity_read, lead_activities
from guanxi.concurrency import DuplicateValue, VersionConflict
from guanxi.leads import assignment, conversion, scoring, selectors, services, workflow
from guanxi.leads.forms import AssignForm, ConvertForm, LeadForm, StatusForm
from guanxi.leads.inputs import EDITABLE, LeadFields
from guanxi.leads.models import Lead, LeadSource, LeadStatus
from guanxi.policy.activities import LeadActivityRef
from guanxi.request_context import context_of, page_number, viewer_of

CHANNEL = "web"
ACTIVITIES_SHOWN = 20  # the lead page's newest activities


def conflict_message() -> str:
    """What an editor is told when someone else changed the lead first."""
    return _(
        "This lead was changed by someone else in the meantime. Nothing was saved: "
        "reload the page to see the current values, then try again."
    )


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    try:
        return selectors.lead_get_for_user(viewer=viewer_of(request), lead_id=lead_id)
    except Lead.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def lead_list(request: HttpRequest) -> HttpResponse:
    """The viewer's leads, newest first: search, status and source filters, a count."""
    viewer = viewer_of(request)
    status = request.GET.get("status", "")
    status = status if status in LeadStatus.values else ""
    source = request.GET.get("source", "")
    source = source if source in LeadSource.values else ""
    q = request.GET.get("q", "")[:100]
    error = ""
    try:
        found = selectors.lead_list_for_user(
            viewer=viewer, filters={"status": status, "source": source}, q=q,
            page=page_number(request), context=context_of(request, CHANNEL),
        )  # fmt: skip
    except ValidationError as exc:
        error = " ".join(exc.message_dict.get("q", exc.messages))
        found = selectors.LeadPage([], 1, selectors.LIST_PAGE_SIZE, False, 0)
    return render(
        request,
        "leads/list.html",
        {
            "page": found,
            "status": status,
            "source": source,
            "q": q,
            "error": error,
            "statuses": LeadStatus.choices,
            "sources": LeadSource.choices,
            "can_create": policy.allows(viewer, "lead.create"),
        },
    )


def _detail_context(request: HttpRequest, lead: Lead, **forms) -> dict:
    viewer = viewer_of(request)
    can_edit = policy.allows(viewer, "lead.edit", lead)
    # The newest activities about the lead: their notes are a read to audit.
    activities = lead_activities(viewer=viewer, lead=lead, limit=ACTIVITIES_SHOWN)
    audit_activity_read(viewer, activities, context_of(request, CHANNEL))
    version = {"version": lead.version}
    statuses = workflow.status_moves(lead.status)
    can_assign = policy.allows(viewer, "lead.assign") and (
        policy.allows(viewer, "lead.assign", lead) or lead.owner_id is None
    )
    return {
        "lead": lead,
        "personal": selectors.lead_personal_values(
            viewer=viewer, lead=lead, context=context_of(request, CHANNEL)
        ),
        "reasons": scoring.reason_labels(lead),
        "history": selectors.lead_history(lead=lead),
        "activities": activities,
        # A converted lead's activities are its customer's: logged there.
        "can_log_activity": lead.status != LeadStatus.CONVERTED
        and policy.allows(viewer, "lead_activity.log", LeadActivityRef(lead)),
        "can_edit": can_edit,
        "status_form": forms.get("status_form") or StatusForm(initial=version, statuses=statuses),
        "can_move": can_edit and bool(statuses),
        "can_assign": can_assign
        and (workflow.is_open(lead.status) or lead.status == LeadStatus.KEPT),
        "assign_form": forms.get("assign_form")
        or AssignForm(initial=version, owners=selectors.owner_candidates(lead=lead)),
        "can_convert": policy.allows(viewer, "lead.convert", lead)
        and workflow.may_move(lead.status, LeadStatus.CONVERTED),
        "convert_form": forms.get("convert_form")
        or ConvertForm(initial={**version, "opportunity_name": lead.name}),
    }


@login_required
@require_GET
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    """One lead: its values as the viewer may see them, score and reasons, history, its
    newest activities, and the status moves, assignment, conversion and logging of an
    activity the viewer may make."""
    return render(request, "leads/detail.html", _detail_context(request, _lead(request, lead_id)))


def _fields(form: LeadForm, names) -> LeadFields:
    data = {k: v for k, v in form.cleaned_data.items() if k in names}
    data = {k: ("" if v is None and k != "referrer_id" else v) for k, v in data.items()}
    return LeadFields.from_mapping(data)


@login_required
@require_http_methods(["GET", "POST"])
def lead_create(request: HttpRequest) -> HttpResponse:
    """Capture a lead for the viewer's branch."""
    viewer = viewer_of(request)
    policy.require(viewer, "lead.create")
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(
                viewer=viewer,
                fields=_fields(form, LeadForm.base_fields),
                context=context_of(request, CHANNEL),
            )
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, _("The lead was captured."))
            if policy.allows(viewer, "lead.view", lead):
                return redirect("leads:detail", lead_id=lead.pk)
            return redirect("leads:list")
    return render(request, "leads/form.html", {"form": form, "lead": None})


@login_required
@require_http_methods(["GET", "POST"])
def lead_edit(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Change a lead's fields; a concurrent change is refused with a message."""
    viewer = viewer_of(request)
    lead = _lead(request, lead_id)
    policy.require(viewer, "lead.edit", lead)
    if request.method == "POST":
        form = LeadForm(request.POST)
        version = _version(request)
        if form.is_valid():
            try:
                services.lead_update(
                    viewer=viewer, lead_id=lead.pk, changes=_fields(form, EDITABLE),
                    expected_version=version, context=context_of(request, CHANNEL),
                )  # fmt: skip
            except ValidationError as exc:
                form.apply_service_errors(exc)
            except VersionConflict:
                form.add_error(None, conflict_message())
            else:
                messages.success(request, _("The lead was saved."))
                return redirect("leads:detail", lead_id=lead.pk)
    else:
        form = LeadForm(initial={name: getattr(lead, name) for name in EDITABLE})
    return render(request, "leads/form.html", {"form": form, "lead": lead})


def _version(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.POST.get("version") or 0), 2**31 - 2))
    except ValueError:
        return 1


def _refused(request: HttpRequest, lead_id: int, message: str) -> HttpResponse:
    lead = _lead(request, lead_id)
    context = _detail_context(request, lead)
    context["refusal"] = message
    return render(request, "leads/detail.html", context, status=409)


def _messages_of(exc: ValidationError) -> str:
    return " ".join(str(m) for texts in exc.message_dict.values() for m in texts)


@login_required
@require_POST
def lead_status(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Move the lead to another status (from the detail page or my day)."""
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _refused(request, lead_id, _messages_of(ValidationError(form.errors)))
    try:
        services.lead_change_status(
            viewer=viewer_of(request), lead_id=lead_id, status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"],
            context=context_of(request, CHANNEL),
        )  # fmt: skip
    except Lead.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return _refused(request, lead_id, _messages_of(exc))
    except VersionConflict:
        return _refused(request, lead_id, conflict_message())
    messages.success(request, _("The lead's status was changed."))
    if form.cleaned_data["next"] == "my_day":
        return redirect("activities:my_day")
    return redirect("leads:detail", lead_id=lead_id)


@login_required
@require_POST
def lead_assign(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Give the lead to a colleague."""
    lead = _lead(request, lead_id)
    form = AssignForm(request.POST, owners=selectors.owner_candidates(lead=lead))
    if not form.is_valid():
        return _refused(request, lead_id, _("Choose the new owner."))
    try:
        lead = assignment.lead_assign(
            viewer=viewer_of(request), lead_id=lead_id, owner_id=form.cleaned_data["owner_id"],
            reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"],
            context=context_of(request, CHANNEL),
        )  # fmt: skip
    except Lead.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return _refused(request, lead_id, _messages_of(exc))
    except VersionConflict:
        return _refused(request, lead_id, conflict_message())
    messages.success(request, _("The lead was reassigned."))
    if policy.allows(viewer_of(request), "lead.view", lead):
        return redirect("leads:detail", lead_id=lead_id)
    return redirect("leads:list")


@login_required
@require_POST
def lead_convert(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Convert the lead to a customer (and an opportunity, if asked)."""
    form = ConvertForm(request.POST)
    if not form.is_valid():
        return _refused(request, lead_id, _messages_of(ValidationError(form.errors)))
    data = form.cleaned_data
    wish = None
    if data["with_opportunity"]:
        wish = conversion.OpportunityWish(
            name=data["opportunity_name"] or "", amount=data["amount"] or 0
        )
    try:
        done = conversion.lead_convert(
            viewer=viewer_of(request), lead_id=lead_id, expected_version=data["version"],
            context=context_of(request, CHANNEL), opportunity=wish,
        )  # fmt: skip
    except Lead.DoesNotExist as exc:
        raise Http404 from exc
    except (ValidationError, DuplicateValue) as exc:
        text = _messages_of(exc) if isinstance(exc, ValidationError) else str(exc)
        return _refused(request, lead_id, text)
    except VersionConflict:
        return _refused(request, lead_id, conflict_message())
    messages.success(request, _("The lead was converted."))
    if done.opportunity_id:
        return redirect("sales:detail", opportunity_id=done.opportunity_id)
    return redirect("customers:detail", customer_id=done.customer.pk)
