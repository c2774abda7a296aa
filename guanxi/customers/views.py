"""Customer pages: list and search, the 360 view, creating, editing, lifecycle and reveal.

Views only parse the request, call a selector or service (which apply the permission
policy and write the audit log) and render. A customer outside the viewer's scope is a
404, the same as one that does not exist, so its existence does not leak.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from guanxi import policy
from guanxi.audit.services import RequestContext
from guanxi.concurrency import DuplicateValue, VersionConflict
from guanxi.customers import (
    duplicates,
    exports,
    list_analytics,
    list_query,
    reveals,
    selectors,
    services,
)
from guanxi.customers.forms import CustomerFilterForm, LifecycleForm, RevealForm
from guanxi.customers.models import (
    Channel,
    Customer,
    CustomerKind,
    Gender,
    GroupKind,
    Industry,
    LifecycleStatus,
    ProductKind,
    SourceChannel,
    ValueTier,
)
from guanxi.customers.panels import extra_panels
from guanxi.customers.profile_forms import CustomerCreateForm, CustomerEditForm
from guanxi.request_context import context_of, page_number, viewer_of
from guanxi.web.htmx import is_htmx

PAGE_SIZE = 25
CHANNEL = "web"

# Choice classes for the ``label`` template filter; Django's Choices are not called
# by templates, so the classes themselves can be passed.
CHOICES = {
    "Status": LifecycleStatus,
    "Tier": ValueTier,
    "Kind": CustomerKind,
    "Gender": Gender,
    "Source": SourceChannel,
    "Channel": Channel,
    "ProductKind": ProductKind,
    "GroupKind": GroupKind,
    "Industry": Industry,
}

FIELD_LABELS = {
    "phone": gettext_lazy("Phone number"),
    "id_number": gettext_lazy("Resident ID number"),
    "email": gettext_lazy("Email"),
}


def _web(request: HttpRequest) -> tuple[policy.Viewer, RequestContext]:
    return viewer_of(request), context_of(request, CHANNEL)


def _customer_360(request: HttpRequest, customer_id: int) -> dict:
    viewer, context = _web(request)
    try:
        return selectors.customer_360_for_user(
            viewer=viewer, customer_id=customer_id, context=context
        )
    except Customer.DoesNotExist as exc:
        raise Http404 from exc


def _visible_customer(request: HttpRequest, customer_id: int) -> Customer:
    try:
        return selectors.customer_get_for_user(viewer=viewer_of(request), customer_id=customer_id)
    except Customer.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def customer_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The list with the filters of the query string as a CSV or Excel file; audited.

    A list the export refuses (filters at fault, too many customers) shows the list page
    with the reason instead.
    """
    form = CustomerFilterForm(request.GET, viewer=viewer_of(request))
    if form.is_valid():
        viewer, context = _web(request)
        try:
            export = exports.customer_export_for_user(
                viewer=viewer, raw_filter=form.list_filter(), context=context, sort=form.sort_key()
            )
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            return exports.export_response(export, kind)  # type: ignore[return-value]
    shown = {"form": form, "page": None, "query": request.GET, **CHOICES}
    shown["can_create"] = policy.allows(viewer_of(request), "customer.create")
    return render(request, "customers/list.html", shown, status=422)


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    """Search, filter, sort and page the customers in the viewer's scope.

    An HTMX request (the live search as one types) gets only the results table.
    """
    form = CustomerFilterForm(request.GET, viewer=viewer_of(request))
    page = None
    if form.is_valid():
        viewer, context = _web(request)
        try:
            page = selectors.customer_list_for_user(
                viewer=viewer,
                raw_filter=form.list_filter(),
                context=context,
                sort=form.sort_key(),
                page=page_number(request),
                page_size=PAGE_SIZE,
            )
        except ValidationError as exc:
            form.apply_service_errors(exc)
    if page is not None:
        for row in page.rows:
            row["segment_name"] = list_analytics.segment_label(row["rfm_segment"])
    template = "customers/_results.html" if is_htmx(request) else "customers/list.html"
    shown = {"form": form, "page": page, "query": request.GET, **CHOICES}
    shown["can_create"] = policy.allows(viewer_of(request), "customer.create")
    shown.update(bulk_actions(viewer_of(request)))
    shown["search_candidates"] = number_format(list_query.SEARCH_CANDIDATES, force_grouping=True)
    response = render(request, template, shown)
    # The same URL answers with a page or a fragment; caches must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def bulk_actions(viewer: policy.Viewer) -> dict:
    """What the list offers to do with a selection of its customers (``bulk_views``)."""
    offered = {
        "group": policy.allows(viewer, "group.members"),
        "owner": policy.allows(viewer, "customer.assign_owner"),
        "save_filter": policy.allows(viewer, "group.create"),
    }
    selectable = offered["group"] or offered["owner"]
    return {
        "bulk_actions": offered if any(offered.values()) else None,
        "select_form": "bulk-form" if selectable else "",
        "bulk_limit": settings.GUANXI_BULK_MAX_CUSTOMERS,
        "can_view_groups": policy.allows(viewer, "group.view"),
    }


@login_required
@require_GET
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer 360 page: everything about one customer the viewer may see."""
    data = _customer_360(request, customer_id)
    profile = data["profile"]
    lifecycle_form = LifecycleForm(
        initial={"version": profile["version"]}, current_status=profile["status"]
    )
    return render(
        request,
        "customers/detail.html",
        {
            "c": data,
            "p": data["profile"],
            "lifecycle_form": lifecycle_form,
            "extra_panels": extra_panels(viewer_of(request), customer_id),
            **CHOICES,
        },
    )


def _kind_of(request: HttpRequest) -> str:
    kind = (request.POST if request.method == "POST" else request.GET).get("kind")
    return kind if kind in CustomerKind.values else CustomerKind.INDIVIDUAL


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest) -> HttpResponse:
    """Create an individual or an organisation (``?kind=``).

    Before saving, the page looks for customers with the same resident ID number, credit
    code, phone or e-mail (``duplicates.customer_duplicates_for``): the same ID number or
    credit code is refused; the same phone or e-mail is a warning, and the user creates
    anyway by confirming those very values.
    """
    viewer, context = _web(request)
    policy.require(viewer, "customer.create")
    kind = _kind_of(request)
    form = CustomerCreateForm(
        request.POST if request.method == "POST" else None, viewer=viewer, kind=kind
    )
    found = duplicates.Duplicates()
    if request.method == "POST" and form.is_valid():
        fields = form.new_customer()
        found = duplicates.customer_duplicates_for(viewer=viewer, fields=fields, context=context)
        for field in sorted({m.field for m in found.refused}):
            name = field if field in form.fields else None
            form.add_error(name, duplicates.duplicate_message(field))
        if not found.refused and found.confirmed_by(request.POST.get("confirm_duplicates", "")):
            try:
                customer = services.customer_create(viewer=viewer, fields=fields, context=context)
            except ValidationError as exc:
                form.apply_service_errors(exc)
            except DuplicateValue as exc:  # created by someone else since the check
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            except PermissionDenied:
                form.add_error("owner", _("You cannot place the customer there."))
            else:
                messages.success(request, _("The customer was created."))
                return redirect("customers:detail", customer_id=customer.pk)
    return render(
        request,
        "customers/create.html",
        {"form": form, "kind": kind, "duplicates": found},
    )


def conflict_message() -> str:
    """What an editor is told when someone else saved the record first."""
    return _(
        "This customer was changed by someone else while you were editing. Nothing was "
        "saved: reload the page to see the current values, then make your change again."
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Edit a customer's profile; a stale version is refused and nothing is saved."""
    data = _customer_360(request, customer_id)
    if not data["can_edit"]:
        raise PermissionDenied(_("Your role does not allow this change."))
    profile = data["profile"]
    form = CustomerEditForm(
        profile, request.POST if request.method == "POST" else None, viewer=viewer_of(request)
    )
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes.given():
            messages.info(request, _("Nothing was changed."))
            return redirect("customers:detail", customer_id=customer_id)
        viewer, context = _web(request)
        try:
            services.customer_update(
                viewer=viewer,
                customer_id=customer_id,
                changes=changes,
                expected_version=form.cleaned_data["version"],
                context=context,
            )
        except ValidationError as exc:
            form.apply_service_errors(exc)
        except VersionConflict:
            form.add_error(None, conflict_message())
        else:
            messages.success(request, _("The customer was saved."))
            return redirect("customers:detail", customer_id=customer_id)
    return render(request, "customers/edit.html", {"form": form, "p": profile})


@login_required
@require_http_methods(["GET", "POST"])
def customer_lifecycle(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Move a customer to another lifecycle status, with the reason for the history."""
    viewer, context = _web(request)
    customer = _visible_customer(request, customer_id)
    policy.require(viewer, "customer.edit", customer)
    if request.method == "POST":
        form = LifecycleForm(request.POST, current_status=customer.status)
        if form.is_valid():
            try:
                services.customer_change_lifecycle(
                    viewer=viewer,
                    customer_id=customer_id,
                    to_status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                    context=context,
                )
            except ValidationError as exc:
                form.apply_service_errors(exc)
            except VersionConflict:
                form.add_error(None, conflict_message())
            else:
                messages.success(request, _("The lifecycle status was changed."))
                return redirect("customers:detail", customer_id=customer_id)
    else:
        form = LifecycleForm(initial={"version": customer.version}, current_status=customer.status)
    return render(
        request, "customers/lifecycle.html", {"form": form, "customer": customer, **CHOICES}
    )


@never_cache  # a revealed value is shown once: no browser or proxy may keep it
@login_required
@require_http_methods(["GET", "POST"])
def customer_reveal(request: HttpRequest, customer_id: int, field: str) -> HttpResponse:
    """Ask why, then show one masked value once; ``reveals.customer_reveal_field`` audits it.

    HTMX swaps the form and then the value into the 360 page; without JavaScript the same
    URL works as a small page of its own.
    """
    if field not in policy.PERSONAL_FIELDS:
        raise Http404
    customer = _visible_customer(request, customer_id)
    value = None
    if request.method == "POST":
        form = RevealForm(request.POST)
        if form.is_valid():
            viewer, context = _web(request)
            try:
                value = reveals.customer_reveal_field(
                    viewer=viewer,
                    customer_id=customer_id,
                    field=field,
                    reason=form.cleaned_data["reason"],
                    context=context,
                )
            except ValidationError as exc:
                form.apply_service_errors(exc)
    else:
        form = RevealForm()
    context = {
        "form": form,
        "customer": customer,
        "field": field,
        "field_label": FIELD_LABELS[field],
        "value": value,
    }
    template = "customers/_reveal.html" if is_htmx(request) else "customers/reveal.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
