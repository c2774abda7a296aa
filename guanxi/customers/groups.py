"""Customer groups: static lists kept by hand and saved filters, and their members."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, deleted, record
from guanxi.concurrency import unique_or_conflict
from guanxi.customers.list_query import MAX_GROUP_NESTING, saved_filter_nesting
from guanxi.customers.models import Customer, CustomerGroup, GroupKind, GroupMembership
from guanxi.customers.selection import bulk_limit, too_many_message
from guanxi.customers.selectors import clean_list_filter, group_member_count, identifying_search


def group_create(
    *,
    viewer: policy.Viewer,
    name: str,
    kind: str,
    saved_filter: dict,
    context: RequestContext | None = None,
) -> CustomerGroup:
    """Create a static or saved-filter customer group."""
    policy.require(viewer, "group.create")
    errors = {}
    if not name or not name.strip():
        errors["name"] = [_("A group needs a name.")]
    elif CustomerGroup.objects.filter(name=name.strip()).exists():
        errors["name"] = [_("A group with this name exists already.")]
    if kind not in GroupKind.values:
        errors["kind"] = [_("A group is a static list or a saved filter.")]
    if errors:
        raise ValidationError(errors)
    try:
        saved = clean_list_filter(saved_filter or {}) if kind == GroupKind.SAVED_FILTER else {}
    except ValidationError as exc:
        raise ValidationError({f"filter.{k}": v for k, v in exc.message_dict.items()}) from exc
    try:
        identifying_search(viewer, saved.get("q", ""))  # a saved filter searches on every use
    except ValidationError as exc:
        raise ValidationError({"filter.q": exc.messages}) from exc
    if saved and saved_filter_nesting(saved.get("group_id")) >= MAX_GROUP_NESTING:
        message = _("A saved filter may name a saved-filter group that names no further one.")
        raise ValidationError({"filter.group_id": [message]})
    with unique_or_conflict("name", _("A group with this name exists already.")):
        group = CustomerGroup.objects.create(
            name=name.strip(), kind=kind, filter=saved, created_by_id=viewer.user_id
        )
        values = {"name": group.name, "kind": kind, "filter": saved}
        record(
            viewer.user,
            AuditAction.CREATE,
            "group",
            [group.pk],
            sorted(values),
            context,
            changes=created(values),
            name=group.name,
        )
    return group


def group_change_members(
    *,
    viewer: policy.Viewer,
    group_id: int,
    add: list[int],
    remove: list[int],
    context: RequestContext,
) -> int:
    """Add and remove members of a static group (its creator or an administrator);
    customers out of scope count as unknown."""
    group = CustomerGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise CustomerGroup.DoesNotExist(_("There is no such group."))
    policy.require(viewer, "group.members", group)
    if group.kind != GroupKind.STATIC:
        raise ValidationError({"group": [_("Members of a saved-filter group follow its filter.")]})
    visible = set(
        policy.customer_scope(viewer, Customer.objects.filter(pk__in=add + remove)).values_list(
            "pk", flat=True
        )
    )
    unknown = sorted(set(add + remove) - visible)
    if unknown:
        raise ValidationError(
            {"customer_ids": [_("Unknown customers: %(ids)s") % {"ids": unknown}]}
        )
    with transaction.atomic():
        GroupMembership.objects.bulk_create(
            [GroupMembership(group=group, customer_id=c) for c in add], ignore_conflicts=True
        )
        GroupMembership.objects.filter(group=group, customer_id__in=remove).delete()
        record(
            viewer.user,
            AuditAction.UPDATE,
            "group",
            [group.pk],
            ["members"],
            context,
            changes={"members_added": [None, add], "members_removed": [remove, None]},
            name=group.name,
            customers=add + remove,
        )
    return group_member_count(viewer, group)


def group_add_customers(
    *,
    viewer: policy.Viewer,
    customer_ids: list[int],
    context: RequestContext,
    group_id: int | None = None,
    new_group_name: str = "",
) -> CustomerGroup:
    """Add customers to a static group: an existing one, else one made here with this name
    (the list's bulk action). One transaction: a refused member leaves no new group behind."""
    ids = sorted(set(customer_ids))
    if not ids:
        raise ValidationError({"customer_ids": [_("Choose at least one customer.")]})
    if len(ids) > bulk_limit():
        raise ValidationError({"customer_ids": [too_many_message(bulk_limit())]})
    if group_id is None and not new_group_name.strip():
        raise ValidationError({"group_id": [_("Choose a group or name a new one.")]})
    with transaction.atomic():
        if group_id is None:
            group_id = group_create(
                viewer=viewer,
                name=new_group_name,
                kind=GroupKind.STATIC,
                saved_filter={},
                context=context,
            ).pk
        group_change_members(viewer=viewer, group_id=group_id, add=ids, remove=[], context=context)
    return CustomerGroup.objects.get(pk=group_id)


def group_delete(*, viewer: policy.Viewer, group_id: int, context: RequestContext) -> None:
    """Delete a customer group (its creator or an administrator); its members stay
    customers, of course."""
    group = CustomerGroup.objects.get(pk=group_id)
    policy.require(viewer, "group.delete", group)
    users = sorted(
        CustomerGroup.objects.filter(
            kind=GroupKind.SAVED_FILTER, filter__group_id=group.pk
        ).values_list("name", flat=True)
    )
    if users:
        message = _("Saved filters use this group: %(names)s. Delete or change them first.")
        raise ValidationError({"group_id": [message % {"names": "、".join(users)}]})
    with transaction.atomic():
        record(
            viewer.user,
            AuditAction.DELETE,
            "group",
            [group.pk],
            [],
            context,
            changes=deleted({"name": group.name, "kind": group.kind}),
            name=group.name,
        )
        group.delete()
