"""Group pages: the groups list, making a static group or saving the list's filters as a
group, a group's members (the customer list's rows, masked and audited as there),
removing members and deleting a group.

Groups are not scoped records: everyone sees the list of them, as the API lists them; their
members are shown as far as the viewer's record scope reaches. Who may change or delete a
group is the policy's ``group.members``/``group.delete``.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from guanxi import policy
from guanxi.concurrency import DuplicateValue
from guanxi.customers import groups, list_analytics, selectors
from guanxi.customers.forms import CustomerFilterForm
from guanxi.customers.group_forms import GroupCreateForm
from guanxi.customers.models import CustomerGroup, GroupKind, LifecycleStatus, ValueTier
from guanxi.customers.selectors import FILTER_KEYS
from guanxi.customers.views import CHOICES, PAGE_SIZE
from guanxi.request_context import context_of, page_number, viewer_of
from guanxi.web.htmx import is_htmx


def _group(viewer: policy.Viewer, group_id: int) -> CustomerGroup:
    try:
        return selectors.group_get_for_user(viewer=viewer, group_id=group_id)
    except CustomerGroup.DoesNotExist:
        raise Http404 from None


def _saved_filter(data: QueryDict) -> dict:
    """The list filters posted with "save these filters as a group"."""
    return {k: data[k] for k in FILTER_KEYS if data.get(k)}


def _described(group: dict) -> dict:
    """A presented group with its filters as (label, value) pairs the reader knows."""
    values = {"status": LifecycleStatus, "value_tier": ValueTier}
    shown = []
    for key, value in group["filter"].items():
        field = CustomerFilterForm.base_fields.get(key)
        label = str(field.label) if field else key
        if key in values and value in values[key].values:
            value = values[key](value).label
        shown.append((label, "—" if value is None else value))
    return {**group, "filter_shown": shown}


def _service_messages(exc: ValidationError) -> list[str]:
    return [m for messages_ in exc.message_dict.values() for m in messages_]


@login_required
@require_http_methods(["GET", "POST"])
def group_list(request: HttpRequest) -> HttpResponse:
    """Every customer group (GET); make a static group, or a saved-filter group of the
    customer list's filters (POST, ``kind=saved_filter``)."""
    viewer = viewer_of(request)
    form = GroupCreateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        policy.require(viewer, "group.create")
        saved = request.POST.get("kind") == GroupKind.SAVED_FILTER
        if form.is_valid():
            try:
                group = groups.group_create(
                    viewer=viewer,
                    name=form.cleaned_data["name"],
                    kind=GroupKind.SAVED_FILTER if saved else GroupKind.STATIC,
                    saved_filter=_saved_filter(request.POST) if saved else {},
                    context=context_of(request, "web"),
                )
            except ValidationError as exc:
                form.add_error(None, _service_messages(exc))
            except DuplicateValue as exc:  # made by someone else since the check
                form.add_error("name", str(exc))
            else:
                messages.success(request, _("The group was created."))
                return redirect("customers:group", group_id=group.pk)
        if saved:  # from the customer list: back there, with its filters and the reason
            for message in (m for errors in form.errors.values() for m in errors):
                messages.error(request, str(message))
            return redirect(
                reverse("customers:list") + "?" + urlencode(_saved_filter(request.POST))
            )
        status = 422
    shown = {
        "groups": [_described(g) for g in selectors.list_groups(viewer)],
        "form": form,
        "can_create": policy.allows(viewer, "group.create"),
        **CHOICES,
    }
    return render(request, "customers/groups/list.html", shown, status=status)


@login_required
@require_http_methods(["GET"])
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    """A group and a page of its members; an HTMX request (paging) gets the members only."""
    viewer = viewer_of(request)
    group = _group(viewer, group_id)
    page = selectors.customer_list_for_user(
        viewer=viewer,
        raw_filter={"group_id": group.pk},
        context=context_of(request, "web"),
        page=page_number(request),
        page_size=PAGE_SIZE,
    )
    for row in page.rows:
        row["segment_name"] = list_analytics.segment_label(row["rfm_segment"])
    may_change = group.kind == GroupKind.STATIC and policy.allows(viewer, "group.members", group)
    query = QueryDict(mutable=True)
    query["group_id"] = str(group.pk)  # the list's and its exports' filter of these members
    shown = {
        "group": _described(selectors.present_group(viewer, group)),
        "page": page,
        "query": query,
        "select_form": "members-form" if may_change and page.rows else "",
        **CHOICES,
    }
    template = "customers/_results.html" if is_htmx(request) else "customers/groups/detail.html"
    response = render(request, template, shown)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
def group_remove_members(request: HttpRequest, group_id: int) -> HttpResponse:
    """Remove the ticked customers from a static group."""
    group = _group(viewer_of(request), group_id)
    ids = [int(v) for v in request.POST.getlist("customer_ids") if v.isdigit() and len(v) < 19]
    try:
        groups.group_change_members(
            viewer=viewer_of(request),
            group_id=group.pk,
            add=[],
            remove=ids,
            context=context_of(request, "web"),
        )
    except ValidationError as exc:
        for message in _service_messages(exc):
            messages.error(request, message)
    else:
        removed = ngettext(
            "%(count)s customer was removed from the group.",
            "%(count)s customers were removed from the group.",
            len(ids),
        )
        messages.success(request, removed % {"count": len(ids)})
    return redirect("customers:group", group_id=group.pk)


@login_required
@require_POST
def group_delete(request: HttpRequest, group_id: int) -> HttpResponse:
    """Delete a group (its creator or an administrator); its customers stay."""
    group = _group(viewer_of(request), group_id)
    try:
        groups.group_delete(
            viewer=viewer_of(request), group_id=group.pk, context=context_of(request, "web")
        )
    except ValidationError as exc:
        for message in _service_messages(exc):
            messages.error(request, message)
        return redirect("customers:group", group_id=group.pk)
    messages.success(request, _("The group %(name)s was deleted.") % {"name": group.name})
    return redirect(reverse("customers:groups"))
