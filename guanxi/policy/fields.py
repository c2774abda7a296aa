"""Field access: for each personal-data field of a customer, full value, masked, or nothing.

A user with several roles gets, for each customer, the most generous access among the
roles whose record scope covers that customer. Other domains add per-customer grants
(a service agent's full phone of a customer whose case they hold).
"""

from collections.abc import Callable, Mapping, Sequence
from enum import IntEnum

from guanxi.core.registry import Registry
from guanxi.org.roles import Role
from guanxi.policy.customers import CUSTOMER_VIEW
from guanxi.policy.rules import ROLE_SCOPE
from guanxi.policy.viewer import CustomerRef, Viewer


class Access(IntEnum):
    """What a user sees of one personal-data field; higher is more."""

    HIDDEN = 0
    MASKED = 1
    FULL = 2


# The fields with an access of their own (and that can be revealed); the others in the
# mask table (birthday, account numbers) follow the ID number's access.
PERSONAL_FIELDS = ("phone", "id_number", "email")

F, M, H = Access.FULL, Access.MASKED, Access.HIDDEN
ROLE_FIELD_ACCESS: dict[str, dict[str, Access]] = {
    Role.ADMINISTRATOR: {"phone": F, "id_number": F, "email": F},
    Role.ACCOUNT_MANAGER: {"phone": F, "id_number": F, "email": F},
    Role.TEAM_LEAD: {"phone": F, "id_number": M, "email": F},
    Role.BRANCH_MANAGER: {"phone": F, "id_number": M, "email": F},
    Role.SERVICE_AGENT: {"phone": M, "id_number": M, "email": M},
    Role.MARKETER: {"phone": M, "id_number": H, "email": M},
    Role.ANALYST: {"phone": M, "id_number": H, "email": M},
    Role.AUDITOR: {"phone": M, "id_number": M, "email": M},
}

# Extension point: other domains grant full access to fields for particular customers,
# e.g. the service domain grants a service agent the full phone of customers whose open
# case is assigned to them. A grant takes the viewer and customer ids and returns
# {customer_id: {field, ...}}.
FieldGrant = Callable[[Viewer, list[int]], dict[int, set[str]]]
_field_grants: Registry[FieldGrant] = Registry("field grant")


def _grant_name(grant: FieldGrant) -> str:
    return f"{grant.__module__}.{grant.__qualname__}"


def register_field_grant(grant: FieldGrant) -> None:
    """Add a source of per-customer full-access grants (called from an AppConfig.ready)."""
    _field_grants.register(_grant_name(grant), grant)


def unregister_field_grant(grant: FieldGrant) -> None:
    """Remove a grant source registered earlier."""
    _field_grants.unregister(_grant_name(grant))


def _relation(viewer: Viewer, customer) -> tuple[bool, bool, bool]:
    owner = customer.owner_id
    return (
        owner is not None and owner == viewer.user_id,
        customer.branch_id is not None and customer.branch_id == viewer.branch_id,
        # Only a team lead's team matters; nobody else pays for reading it.
        Role.TEAM_LEAD in viewer.roles and owner is not None and owner in viewer.teammate_ids,
    )


def field_access(viewer: Viewer, customers: list) -> dict[int, dict[str, Access]]:
    """Per customer, the viewer's access to each personal-data field."""
    found = field_access_of(
        viewer,
        [c.pk for c in customers],
        [c.owner_id for c in customers],
        [c.branch_id for c in customers],
    )
    return {c.pk: dict(access) for c, access in zip(customers, found, strict=True)}


def field_access_of(
    viewer: Viewer,
    ids: Sequence[int],
    owner_ids: Sequence[int | None],
    branch_ids: Sequence[int | None],
) -> list[Mapping[str, Access]]:
    """``field_access`` of customers given as columns, in their order (an export's chunk of
    rows, where an object per customer cost more than the rest of the decision).

    Customers with the same access share one mapping: read it, never change it.
    """
    grants: dict[int, set[str]] = {}
    for grant in _field_grants.values():
        for customer_id, fields in grant(viewer, list(ids)).items():
            grants.setdefault(customer_id, set()).update(fields)
    # What the roles allow depends only on whether the customer is the viewer's own, in
    # the viewer's team and in the viewer's branch, so a page needs it worked out at most
    # eight times; a customer's account manager and branch say which.
    by_relation: dict[tuple[bool, bool, bool], dict[str, Access]] = {}
    by_place: dict[tuple[int | None, int | None], dict[str, Access]] = {}
    found: list[Mapping[str, Access]] = []
    for pk, owner_id, branch_id in zip(ids, owner_ids, branch_ids, strict=True):
        access = by_place.get((owner_id, branch_id))
        if access is None:
            customer = CustomerRef(pk, owner_id, branch_id)
            relation = _relation(viewer, customer)
            if relation not in by_relation:
                roles = CUSTOMER_VIEW.covering_roles(viewer, customer)
                by_relation[relation] = {
                    name: max((ROLE_FIELD_ACCESS[r][name] for r in roles), default=Access.HIDDEN)
                    for name in PERSONAL_FIELDS
                }
            access = by_place[(owner_id, branch_id)] = by_relation[relation]
        granted = grants.get(pk)
        found.append({**access, **dict.fromkeys(granted, Access.FULL)} if granted else access)
    return found


def access_everywhere(viewer: Viewer) -> dict[str, Access]:
    """The viewer's access to each field on every customer alike (the least of it).

    A value not tied to one customer (a search term saved in a group's filter) may be
    shown only as far as the viewer sees that field on any customer.
    """
    nobody = CustomerRef(pk=0, owner_id=None, branch_id=None)
    roles = CUSTOMER_VIEW.covering_roles(viewer, nobody)
    return {
        name: max((ROLE_FIELD_ACCESS[r][name] for r in roles), default=Access.HIDDEN)
        for name in PERSONAL_FIELDS
    }


def may_search_by(viewer: Viewer, field_name: str) -> bool:
    """Whether the viewer may find customers by the value of a personal field.

    A search by value tells whether a customer with that value exists, so it is a read of
    the field: allowed only when every role through which the viewer sees customers shows
    the field (masked at least). A role that hides it would otherwise turn the search box
    into a way to test ID numbers against customers it may not see them of.
    """
    scoped = [r for r in viewer.roles if r in ROLE_SCOPE]
    return bool(scoped) and all(ROLE_FIELD_ACCESS[r][field_name] >= Access.MASKED for r in scoped)


def can_reveal(access: Access) -> bool:
    """A masked value may be revealed once, with a reason; a hidden one never."""
    return access is Access.MASKED
