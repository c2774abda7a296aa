"""Reads behind the bulk actions of the customer list: which customers a selection names,
and what the viewer may apply to them (the static groups they may fill, the account
managers they may hand customers to).

A selection is either ids ticked on a page or every customer matching the list's filters;
either holds at most ``GUANXI_BULK_MAX_CUSTOMERS`` customers, and a larger one is refused
naming ``selection`` rather than cut short (a campaign list missing members unnoticed is
worse than a clear "narrow it").
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.customers import list_query, selectors
from guanxi.customers.models import CustomerGroup, GroupKind
from guanxi.org.models import Profile
from guanxi.org.selectors import account_managers_for_user


def bulk_limit() -> int:
    """How many customers one bulk action may change."""
    return settings.GUANXI_BULK_MAX_CUSTOMERS


def too_many_message(limit: int) -> str:
    """What a selection larger than the limit is told."""
    return _(
        "A bulk action may change at most %(limit)s customers. Narrow the list with filters "
        "or a search."
    ) % {"limit": f"{limit:,}"}


def customer_ids_matching_for_user(*, viewer: policy.Viewer, raw_filter: dict) -> list[int]:
    """The ids of every customer in the viewer's list with these filters and search.

    A ValidationError names a filter at fault, or ``selection`` when more customers match
    than a bulk action may change.
    """
    request = selectors.list_request_for_user(viewer=viewer, raw_filter=raw_filter)
    limit = bulk_limit()
    shape, values, _compilable = list_query.page_shape(
        viewer,
        request.clean,
        request.query,
        "name",
        slice(0, limit),
        request.analytics,
        request.run_id,
    )
    if not shape[0] or (request.analytics and request.run_id is None):
        return []  # a viewer who sees no customers; no analysis run to filter by
    ids = sorted(row["pk"] for row in list_query.matching_ids(shape, values, limit + 1))
    if len(ids) > limit:
        raise ValidationError({"selection": [too_many_message(limit)]})
    return ids


def groups_fillable_for_user(viewer: policy.Viewer) -> QuerySet:
    """The static groups the viewer may add customers to, by name."""
    static = CustomerGroup.objects.filter(kind=GroupKind.STATIC).order_by("name")
    return policy.scoped(viewer, static, "group.members")


def owners_assignable_for_user(viewer: policy.Viewer) -> list[Profile]:
    """The account managers the viewer may give customers to (``customer.assign_owner``
    asked of a customer of the manager's branch owned by the manager)."""
    if not policy.allows(viewer, "customer.assign_owner"):
        return []
    return [
        p
        for p in account_managers_for_user(viewer)
        if policy.allows(
            viewer, "customer.assign_owner", policy.CustomerRef(0, p.user_id, p.branch_id)
        )
    ]
