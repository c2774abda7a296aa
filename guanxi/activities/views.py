"""Activity pages: the list, one activity (and its edit form), logging, my day, the
one-click actions of my day, attachments, and the contact rules page.

Views parse, call a service or selector, and render; an HTMX request gets a partial.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi import policy
from guanxi.activities import (
    attachments,
    contact_rules,
    customer_360,
    my_day,
    selectors,
    services,
    workflow,
)
from guanxi.activities.forms import ActivityForm, ContactRuleForm, QuickLogForm, RescheduleForm
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import Activity, ActivityKind, ActivityStatus, Attachment
from guanxi.audit.services import RequestContext
from guanxi.concurrency import VersionConflict
from guanxi.customers.models import Customer
from guanxi.leads.models import Lead
from guanxi.leads.selectors import lead_get_for_user
from guanxi.policy.activities import activity_allows
from guanxi.request_context import context_of, page_number, viewer_of
from guanxi.sales.selectors import opportunity_choices_for_customer
from guanxi.web.htmx import is_htmx

CHANNEL = "web"
PAGE_SIZE = 30


def _web(request: HttpRequest) -> tuple[policy.Viewer, RequestContext]:
    return viewer_of(request), context_of(request, CHANNEL)


def _activity(request: HttpRequest, activity_id: int) -> Activity:
    try:
        return selectors.activity_get_for_user(viewer=viewer_of(request), activity_id=activity_id)
    except Activity.DoesNotExist as exc:
        raise Http404 from exc


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    """The viewer's activities, newest first, filtered by kind and status."""
    viewer = viewer_of(request)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    filters = selectors.ActivityFilter(
        kind=kind if kind in ActivityKind.values else "",
        status=status if status in ActivityStatus.values else "",
    )
    page = page_number(request)
    rows, has_next = selectors.activity_list_for_user(
        viewer=viewer, filters=filters, page=page, page_size=PAGE_SIZE
    )
    selectors.audit_activity_read(viewer, rows, context_of(request, CHANNEL))
    return render(
        request,
        "activities/list.html",
        {
            "activities": rows,
            "page": page,
            "has_next": has_next,
            "kind": filters.kind,
            "status": filters.status,
            "kinds": ActivityKind.choices,
            "statuses": ActivityStatus.choices,
            "can_manage_rules": policy.allows(viewer, "contact_rule.view"),
        },
    )


def _initial(activity: Activity) -> dict:
    tz = timezone.get_current_timezone()
    return {
        "kind": activity.kind,
        "opportunity": activity.opportunity_id,
        "subject": activity.subject,
        "starts_at": activity.starts_at.astimezone(tz),
        "ends_at": activity.ends_at.astimezone(tz) if activity.ends_at else None,
        "due_on": activity.due_on,
        "status": activity.status,
        "channel": activity.channel,
        "description": activity.description,
        "outcome": activity.outcome,
    }


@login_required
@require_http_methods(["GET", "POST"])
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    """One activity; its editors change it here (with the version they read)."""
    viewer, context = _web(request)
    activity = _activity(request, activity_id)
    if request.method == "GET":
        selectors.audit_activity_read(viewer, [activity], context)
    can_edit = activity_allows(viewer, "activity.edit", activity)
    about_lead = activity.customer_id is None
    opportunities = (
        ()
        if about_lead
        else opportunity_choices_for_customer(
            viewer=viewer, customer_id=activity.customer_id, including=activity.opportunity_id
        )
    )
    form = ActivityForm(
        request.POST or None,
        initial=_initial(activity),
        opportunities=opportunities,
        about_lead=about_lead,
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Your role does not allow this."))
        if form.is_valid():
            changes = form.values()
            try:
                version = int(request.POST.get("version", ""))
                services.activity_update(
                    viewer=viewer,
                    activity_id=activity.pk,
                    fields=ActivityFields.from_mapping(changes),
                    expected_version=version,
                    context=context,
                )
            except ValueError:
                form.add_error(None, _("Send the version number read."))
            except ValidationError as exc:
                form.apply_service_errors(exc)
            except VersionConflict as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The activity was saved."))
                return redirect("activities:detail", activity_id=activity.pk)
    allowed = workflow.moves_from(activity.status)
    form.fields["status"].choices = [
        c for c in ActivityStatus.choices if c[0] == activity.status or c[0] in allowed
    ]
    return render(
        request,
        "activities/detail.html",
        {
            "a": activity,
            # Named only when the viewer may see the opportunity.
            "opportunity_name": dict(opportunities).get(activity.opportunity_id),
            "form": form,
            "can_edit": can_edit,
            "owner_name": selectors.person_name(activity.owner),
            "participants": [
                selectors.person_name(p) for p in activity.participants.select_related("profile")
            ],
            "attachments": attachments.attachments_of(activity.pk),
            "can_complete": ActivityStatus.DONE in allowed,
        },
    )


def _about(request: HttpRequest, viewer: policy.Viewer) -> tuple[Customer | None, Lead | None]:
    """The customer (``?customer=<id>``) or lead (``?lead=<id>``) to log on, as the viewer
    may see it; missing or out of scope: a 404."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        if "lead" in source:
            return None, lead_get_for_user(viewer=viewer, lead_id=int(source["lead"]))
        customer_id = int(source.get("customer", ""))
    except (ValueError, Lead.DoesNotExist) as exc:
        raise Http404 from exc
    customer = policy.customer_scope(viewer, Customer.objects.all()).filter(pk=customer_id).first()
    if customer is None:
        raise Http404
    return customer, None


@login_required
@require_http_methods(["GET", "POST"])
def activity_log(request: HttpRequest) -> HttpResponse:
    """Log an activity for a customer (``?customer=<id>``) or a lead (``?lead=<id>``, from
    its page); from the 360 page by HTMX, in one step, after which the 360 page is shown
    again with the activity on its timeline."""
    viewer, context = _web(request)
    policy.require(viewer, "activity.log")
    source = request.POST if request.method == "POST" else request.GET
    customer, lead = _about(request, viewer)
    quick = source.get("quick") == "1" and customer is not None
    form_class = QuickLogForm if quick else ActivityForm
    kinds = [(k.value, k.label) for k in customer_360.QUICK_KINDS] if quick else None
    initial = {
        "status": ActivityStatus.DONE,
        "starts_at": timezone.localtime().replace(second=0, microsecond=0),
        "opportunity": source.get("opportunity"),  # logged from the opportunity's page
    }
    opportunities = (
        opportunity_choices_for_customer(viewer=viewer, customer_id=customer.pk)
        if customer is not None and not quick
        else ()
    )
    form = form_class(
        request.POST if request.method == "POST" else None,
        kinds=kinds,
        initial=initial,
        opportunities=opportunities,
        about_lead=lead is not None,
    )
    if request.method == "POST" and form.is_valid():
        about = {"customer_id": customer.pk} if customer is not None else {"lead_id": lead.pk}
        try:
            services.activity_log(
                viewer=viewer,
                fields=ActivityFields.from_mapping({**form.values(), **about}),
                context=context,
            )
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, _("The activity was logged."))
            if quick:
                target = reverse("customers:detail", args=[customer.pk])
            elif lead is not None:
                target = _back(request, reverse("leads:detail", args=[lead.pk]))
            else:
                target = _back(request, reverse("activities:list"))
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
    if quick and is_htmx(request):
        return render(
            request,
            "activities/partials/log_form.html",
            {"form": form, "customer_id": customer.pk},
        )
    return render(
        request,
        "activities/log.html",
        {"form": form, "customer": customer, "lead": lead, "quick": quick},
    )


def _one_click(request: HttpRequest, activity_id: int, act) -> HttpResponse:
    viewer, context = _web(request)
    _activity(request, activity_id)  # out of scope: 404 before anything else
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, _("Send the version number read."))
    else:
        try:
            act(viewer, context, version)
        except (ValidationError, VersionConflict) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        else:
            messages.success(request, _("Done."))
    return redirect(_back(request, reverse("activities:my_day")))


@login_required
@require_POST
def activity_complete(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Mark an open item done (my day's one-click action)."""

    def act(viewer, context, version):
        services.task_complete(
            viewer=viewer,
            activity_id=activity_id,
            expected_version=version,
            outcome=request.POST.get("outcome", "")[:4000],
            context=context,
        )

    return _one_click(request, activity_id, act)


@login_required
@require_POST
def activity_reschedule(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Move an open item's due date (tomorrow unless another date is sent)."""
    form = RescheduleForm(request.POST or {"due_on": timezone.localdate() + timedelta(days=1)})
    if not form.is_valid():
        form = RescheduleForm({"due_on": timezone.localdate() + timedelta(days=1)})
        form.is_valid()

    def act(viewer, context, version):
        services.task_reschedule(
            viewer=viewer,
            activity_id=activity_id,
            expected_version=version,
            due_on=form.cleaned_data["due_on"],
            context=context,
        )

    return _one_click(request, activity_id, act)


@login_required
@require_POST
def attachment_upload(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Attach a file to an activity from its page."""
    viewer, context = _web(request)
    _activity(request, activity_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        try:
            attachments.attachment_add(
                viewer=viewer, activity_id=activity_id, upload=upload, context=context
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, _("The file was attached."))
    return redirect("activities:detail", activity_id=activity_id)


@login_required
@require_GET
def attachment_download(request: HttpRequest, activity_id: int, attachment_id: int) -> HttpResponse:
    """Download an attachment of an activity the viewer may see."""
    activity = _activity(request, activity_id)
    found = Attachment.objects.filter(pk=attachment_id, activity=activity).first()
    if found is None:
        raise Http404
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )


@login_required
@require_GET
def my_day_page(request: HttpRequest) -> HttpResponse:
    """Today's agenda, overdue items, churn risks, neglected customers and birthdays."""
    viewer, context = _web(request)
    day = my_day.my_day_for_user(viewer=viewer, context=context)
    return render(
        request,
        "activities/my_day.html",
        {
            "day": day,
            "can_log": policy.allows(viewer, "activity.log"),
            "can_care": policy.allows(viewer, "care_reminder.view"),
            "tomorrow": timezone.localdate() + timedelta(days=1),
            "tiers": dict(Customer._meta.get_field("value_tier").choices),
            "kinds": dict(ActivityKind.choices),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_rules_page(request: HttpRequest) -> HttpResponse:
    """The contact rules; administrators change them here."""
    viewer, context = _web(request)
    rules = contact_rules.contact_rules_for_user(viewer=viewer)
    can_manage = policy.allows(viewer, "contact_rule.manage")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        policy.require(viewer, "contact_rule.manage")
        tier = request.POST.get("value_tier", "")
        form = ContactRuleForm(request.POST)
        if form.is_valid():
            try:
                contact_rules.contact_rule_set(
                    viewer=viewer,
                    value_tier=tier,
                    every_days=form.cleaned_data["every_days"],
                    kind=form.cleaned_data["kind"],
                    expected_version=form.cleaned_data["version"],
                    context=context,
                )
            except ValidationError as exc:
                errors[tier] = exc.messages
            except VersionConflict as exc:
                errors[tier] = [str(exc)]
            else:
                messages.success(request, _("The contact rule was saved."))
                return redirect("activities:contact_rules")
        else:
            errors[tier] = [m for ms in form.errors.values() for m in ms]
    return render(
        request,
        "activities/contact_rules.html",
        {
            "rules": rules,
            "can_manage": can_manage,
            "errors": errors,
            "kinds": [
                (k.value, k.label)
                for k in (ActivityKind.VISIT, ActivityKind.CALL, ActivityKind.MEETING)
            ],
            "tiers": Customer._meta.get_field("value_tier").choices,
        },
    )
