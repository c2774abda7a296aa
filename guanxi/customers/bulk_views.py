"""The customer list's bulk actions: add the selected customers to a static group, or
give them to another account manager.

The list page sends its selection here (ticked ids, or "every customer matching the
filters" with the list's query string); this page asks for the group or the owner and
applies it through the services, which decide who may change what. Afterwards it goes
back to the list with the same filters.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from guanxi import policy
from guanxi.customers import groups, owners, selection
from guanxi.customers.forms import CustomerFilterForm
from guanxi.customers.group_forms import AddToGroupForm, AssignOwnerForm
from guanxi.request_context import context_of, viewer_of

ACTIONS: dict[str, tuple[str, type[AddToGroupForm] | type[AssignOwnerForm]]] = {
    "group": ("group.members", AddToGroupForm),
    "owner": ("customer.assign_owner", AssignOwnerForm),
}
# Parameters of this page that are not the list's filters.
OWN_PARAMETERS: tuple[str, ...] = ("action", "selection", "customer_ids", "page")
OWN_PARAMETERS += ("csrfmiddlewaretoken", "target_group", "new_group_name", "new_owner")


def _list_query(data: QueryDict) -> QueryDict:
    """The customer list's own query string within this page's parameters."""
    query = data.copy()
    for name in OWN_PARAMETERS:
        query.pop(name, None)
    return query


def _selected_ids(viewer: policy.Viewer, data: QueryDict) -> list[int]:
    """The customers selected; a ValidationError names ``selection`` when there are none,
    the filters are wrong, or more match than one bulk action may change."""
    if data.get("selection") == "matching":
        form = CustomerFilterForm(data, viewer=viewer)
        if not form.is_valid():
            raise ValidationError({"selection": [_("Correct the list's filters first.")]})
        return selection.customer_ids_matching_for_user(
            viewer=viewer, raw_filter=form.list_filter()
        )
    ids = [int(v) for v in data.getlist("customer_ids") if v.isdigit() and len(v) < 19]
    if not ids:
        raise ValidationError({"selection": [_("Tick at least one customer.")]})
    if len(set(ids)) > selection.bulk_limit():
        raise ValidationError({"selection": [selection.too_many_message(selection.bulk_limit())]})
    return sorted(set(ids))


def _apply(
    request: HttpRequest, action: str, form: AddToGroupForm | AssignOwnerForm, ids: list[int]
) -> str:
    """Apply the action to the customers; the message to show afterwards."""
    viewer, context = viewer_of(request), context_of(request, "web")
    if action == "group":
        group = groups.group_add_customers(
            viewer=viewer,
            customer_ids=ids,
            context=context,
            group_id=form.cleaned_data["target_group"],
            new_group_name=form.cleaned_data["new_group_name"],
        )
        added = ngettext(
            "%(count)s customer was added to the group %(name)s.",
            "%(count)s customers were added to the group %(name)s.",
            len(ids),
        )
        return added % {"count": len(ids), "name": group.name}
    changed = owners.customer_assign_owner(
        viewer=viewer, customer_ids=ids, owner_id=form.cleaned_data["new_owner"], context=context
    )
    assigned = ngettext(
        "%(count)s customer has a new account manager.",
        "%(count)s customers have a new account manager.",
        len(changed),
    )
    return assigned % {"count": len(changed)}


@login_required
@require_http_methods(["GET", "POST"])
def customer_bulk(request: HttpRequest) -> HttpResponse:
    """Ask for the group or owner of a bulk action (GET), and apply it (POST)."""
    viewer = viewer_of(request)
    data = request.POST if request.method == "POST" else request.GET
    action = data.get("action") or ""
    if action not in ACTIONS:
        action = "group"
    permission, form_class = ACTIONS[action]
    policy.require(viewer, permission)
    form = form_class(data if request.method == "POST" else None, viewer=viewer)
    ids: list[int] = []
    refusal = ""
    try:
        ids = _selected_ids(viewer, data)
    except ValidationError as exc:
        refusal = " ".join(exc.messages)
    back = reverse("customers:list") + "?" + _list_query(data).urlencode()
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            done = _apply(request, action, form, ids)
        except ValidationError as exc:
            form.apply_service_errors(exc)
        except PermissionDenied:
            form.add_error(None, _("Your role does not allow this change to these customers."))
        else:
            messages.success(request, done)
            return redirect(back)
    shown = {
        "action": action,
        "form": form,
        "ids": ids,
        "refusal": refusal,
        "selection": data.get("selection", "ticked"),
        "list_query": _list_query(data),
        "back": back,
    }
    status = 422 if refusal or form.errors else 200
    return render(request, "customers/bulk.html", shown, status=status)
