"""The permission policy: the one place that decides who may see and change what.

Services and selectors ask this module; views and API handlers never decide access
themselves. Three questions are answered here:

* record scope — which customers a user can see at all (own portfolio, branch, or all);
* field access — for each personal-data field, full value, masked value or nothing;
* actions — who may edit, reveal, manage definitions, or read the audit log.

A user with several roles gets, for each customer, the most generous access among the roles
whose scope covers that customer.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum

from django.db.models import Q, QuerySet, Value
from django.db.models.lookups import Exact

from guanxi.org.roles import Role


class Scope(IntEnum):
    """How far a role's view of customers reaches."""

    OWN = 1
    BRANCH = 2
    ALL = 3


class Access(IntEnum):
    """What a user sees of one personal-data field; higher is more."""

    HIDDEN = 0
    MASKED = 1
    FULL = 2


PERSONAL_FIELDS = ("phone", "id_number", "email")

ROLE_SCOPE: dict[str, Scope] = {
    Role.ADMINISTRATOR: Scope.ALL,
    Role.BRANCH_MANAGER: Scope.BRANCH,
    Role.ACCOUNT_MANAGER: Scope.OWN,
    Role.SERVICE_AGENT: Scope.ALL,
    Role.MARKETER: Scope.ALL,
    Role.ANALYST: Scope.ALL,
    Role.AUDITOR: Scope.ALL,
}

F, M, H = Access.FULL, Access.MASKED, Access.HIDDEN
ROLE_FIELD_ACCESS: dict[str, dict[str, Access]] = {
    Role.ADMINISTRATOR: {"phone": F, "id_number": F, "email": F},
    Role.ACCOUNT_MANAGER: {"phone": F, "id_number": F, "email": F},
    Role.BRANCH_MANAGER: {"phone": F, "id_number": M, "email": F},
    Role.SERVICE_AGENT: {"phone": M, "id_number": M, "email": M},
    Role.MARKETER: {"phone": M, "id_number": H, "email": M},
    Role.ANALYST: {"phone": M, "id_number": H, "email": M},
    Role.AUDITOR: {"phone": M, "id_number": M, "email": M},
}

EDITOR_ROLES = {Role.ADMINISTRATOR, Role.BRANCH_MANAGER, Role.ACCOUNT_MANAGER}
GROUP_MANAGER_ROLES = EDITOR_ROLES | {Role.MARKETER}
AUDIT_READER_ROLES = {Role.ADMINISTRATOR, Role.AUDITOR}
ANALYSIS_RUNNER_ROLES = {Role.ADMINISTRATOR, Role.ANALYST}
# Account and branch managers see the dashboard of their own customers (record scope applies).
ANALYTICS_VIEWER_ROLES = ANALYSIS_RUNNER_ROLES | {
    Role.MARKETER,
    Role.BRANCH_MANAGER,
    Role.ACCOUNT_MANAGER,
}


@dataclass(frozen=True)
class Viewer:
    """The user on whose behalf a service acts, with what the policy needs to know."""

    user_id: int
    username: str
    roles: frozenset[str]
    branch_id: int | None
    user: object = field(compare=False, repr=False, default=None)

    @classmethod
    def of(cls, user) -> "Viewer":
        """The viewer for a Django user (a user without a profile has no roles)."""
        profile = getattr(user, "profile", None)
        roles = frozenset(profile.roles if profile else [])
        if user.is_superuser:
            roles |= {Role.ADMINISTRATOR}
        return cls(
            user_id=user.pk,
            username=user.get_username(),
            roles=roles,
            branch_id=profile.branch_id if profile else None,
            user=user,
        )

    def has_any(self, roles: Iterable[str]) -> bool:
        """Whether the viewer holds at least one of ``roles``."""
        return bool(self.roles & set(roles))


@dataclass(frozen=True)
class CustomerRef:
    """What the policy needs to know of a customer: who owns it and in which branch.

    Model instances fit too; lists build these from plain values to stay cheap.
    """

    pk: int
    owner_id: int | None
    branch_id: int | None


# Extension point: other domains grant full access to fields for particular customers,
# e.g. the service domain grants a service agent the full phone of customers whose open
# case is assigned to them. A grant takes the viewer and customer ids and returns
# {customer_id: {field, ...}}.
FieldGrant = Callable[[Viewer, list[int]], dict[int, set[str]]]
_field_grants: list[FieldGrant] = []


def register_field_grant(grant: FieldGrant) -> None:
    """Add a source of per-customer full-access grants (called from an AppConfig.ready)."""
    if grant not in _field_grants:
        _field_grants.append(grant)


def unregister_field_grant(grant: FieldGrant) -> None:
    """Remove a grant source registered earlier."""
    if grant in _field_grants:
        _field_grants.remove(grant)


def _scopes(viewer: Viewer) -> set[Scope]:
    return {ROLE_SCOPE[r] for r in viewer.roles if r in ROLE_SCOPE}


def customer_scope(viewer: Viewer, customers: QuerySet) -> QuerySet:
    """Restrict a customer queryset to the records the viewer may see."""
    scopes = _scopes(viewer)
    if Scope.ALL in scopes:
        return customers
    condition = Q(pk__in=[])
    if Scope.OWN in scopes:
        condition |= Q(owner_id=viewer.user_id)
    if Scope.BRANCH in scopes and viewer.branch_id is not None:
        condition |= Q(branch_id=viewer.branch_id)
    return customers.filter(condition)


def scope_values(viewer: Viewer) -> dict[str, int]:
    """The viewer's record scope as the values ``scope_condition`` takes.

    The same rule as ``customer_scope``, in a condition whose SQL is the same for every
    viewer, so that a query compiled once serves all of them (``guanxi.compiled_query``).
    Ids are positive, so 0 matches nothing.
    """
    scopes = _scopes(viewer)
    return {
        "everyone": int(Scope.ALL in scopes),
        "own_id": viewer.user_id if Scope.OWN in scopes else 0,
        "branch_id": (viewer.branch_id or 0) if Scope.BRANCH in scopes else 0,
    }


def scope_condition(everyone: int, own_id: int, branch_id: int) -> Q:
    """Customers within a scope given as ``scope_values``."""
    return Q(Exact(Value(everyone), 1)) | Q(owner_id=own_id) | Q(branch_id=branch_id)


def _covers(role: str, viewer: Viewer, owner_id: int | None, branch_id: int | None) -> bool:
    scope = ROLE_SCOPE.get(role)
    if scope is Scope.ALL:
        return True
    if scope is Scope.BRANCH:
        return branch_id is not None and branch_id == viewer.branch_id
    if scope is Scope.OWN:
        return owner_id is not None and owner_id == viewer.user_id
    return False


def _covering_roles(viewer: Viewer, customer) -> list[str]:
    return [r for r in viewer.roles if _covers(r, viewer, customer.owner_id, customer.branch_id)]


def field_access(viewer: Viewer, customers: list) -> dict[int, dict[str, Access]]:
    """Per customer, the viewer's access to each personal-data field."""
    grants: dict[int, set[str]] = {}
    ids = [c.pk for c in customers]
    for grant in _field_grants:
        for customer_id, fields in grant(viewer, ids).items():
            grants.setdefault(customer_id, set()).update(fields)
    # What the roles allow depends only on whether the customer is the viewer's own and in
    # the viewer's branch, so a page of customers needs it worked out at most four times.
    by_relation: dict[tuple[bool, bool], dict[str, Access]] = {}
    result: dict[int, dict[str, Access]] = {}
    for customer in customers:
        relation = (
            customer.owner_id is not None and customer.owner_id == viewer.user_id,
            customer.branch_id is not None and customer.branch_id == viewer.branch_id,
        )
        if relation not in by_relation:
            roles = _covering_roles(viewer, customer)
            by_relation[relation] = {
                name: max((ROLE_FIELD_ACCESS[r][name] for r in roles), default=Access.HIDDEN)
                for name in PERSONAL_FIELDS
            }
        access = dict(by_relation[relation])
        for name in grants.get(customer.pk, ()):
            access[name] = Access.FULL
        result[customer.pk] = access
    return result


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


def can_edit_customer(viewer: Viewer, customer) -> bool:
    """Whether the viewer may change this customer's record."""
    return any(r in EDITOR_ROLES for r in _covering_roles(viewer, customer))


def can_create_customer(viewer: Viewer, branch_id: int, owner_id: int | None) -> bool:
    """Whether the viewer may create a customer in this branch for this owner."""
    if Role.ADMINISTRATOR in viewer.roles:
        return True
    if Role.BRANCH_MANAGER in viewer.roles and branch_id == viewer.branch_id:
        return True
    return (
        Role.ACCOUNT_MANAGER in viewer.roles
        and branch_id == viewer.branch_id
        and owner_id == viewer.user_id
    )


def can_manage_groups(viewer: Viewer) -> bool:
    """Whether the viewer may create groups and change their members."""
    return viewer.has_any(GROUP_MANAGER_ROLES)


def can_manage_definitions(viewer: Viewer) -> bool:
    """Whether the viewer may define custom fields, products and organisation data."""
    return Role.ADMINISTRATOR in viewer.roles


def can_read_audit(viewer: Viewer) -> bool:
    """Whether the viewer may search and export the audit log."""
    return viewer.has_any(AUDIT_READER_ROLES)


def can_run_analysis(viewer: Viewer) -> bool:
    """Whether the viewer may start an analytics run over the whole store."""
    return viewer.has_any(ANALYSIS_RUNNER_ROLES)


def can_view_analytics(viewer: Viewer) -> bool:
    """Whether the viewer may open the analytics dashboard (of the customers in scope)."""
    return viewer.has_any(ANALYTICS_VIEWER_ROLES)


def sees_all_customers(viewer: Viewer) -> bool:
    """Whether the viewer's record scope is every customer (company-wide figures apply)."""
    return any(ROLE_SCOPE.get(r) is Scope.ALL for r in viewer.roles)


def mask_phone(value: str) -> str:
    """138****5678 — keep the first 3 and last 4 digits."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    """110105********1234 — keep the region code and the last 4 characters."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_email(value: str) -> str:
    """z***@example.com — keep the first letter and the domain."""
    local, _, domain = value.partition("@")
    if not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


MASKS: dict[str, Callable[[str], str]] = {
    "phone": mask_phone,
    "id_number": mask_id_number,
    "email": mask_email,
}


def present(field_name: str, value: str, access: Access) -> str | None:
    """The value as the viewer may see it: full, masked, or None when hidden."""
    if not value:
        return "" if access is not Access.HIDDEN else None
    if access is Access.FULL:
        return value
    if access is Access.MASKED:
        return MASKS[field_name](value)
    return None
