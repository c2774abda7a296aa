"""The customer domain's actions: customers, their groups, and the definitions they use.

Also the customer scope in the two forms selectors use: a queryset filter, and the
viewer-independent condition of compiled queries (``scope_values``/``scope_condition``).
"""

from django.db.models import Q, QuerySet, Value
from django.db.models.lookups import Exact

from guanxi.org.roles import Role
from guanxi.policy.rules import (
    CREATOR,
    EVERYWHERE,
    IN_SCOPE,
    ROLE_SCOPE,
    Action,
    Scope,
    teammates_of,
)
from guanxi.policy.viewer import Viewer

A = Role
EVERY_ROLE = tuple(Role)

# Who may change a customer's record, each within their record scope.
EDITORS = (A.ADMINISTRATOR, A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER)
# Who may make and fill customer groups (marketers build campaign lists).
GROUP_MAKERS = (*EDITORS, A.MARKETER)

# Who may own (look after) customers.
OWNERS = (A.ACCOUNT_MANAGER, A.TEAM_LEAD)

CUSTOMER_VIEW = Action("customer.view", {r: IN_SCOPE for r in EVERY_ROLE})

ACTIONS = (
    CUSTOMER_VIEW,
    # Creating checks the record to be: its branch and owner must be in the creator's scope.
    Action("customer.create", {r: IN_SCOPE for r in EDITORS}),
    Action("customer.edit", {r: IN_SCOPE for r in EDITORS}),
    # Which fields may be revealed is the field access's business (masked, not hidden).
    Action("customer.reveal", {r: IN_SCOPE for r in EVERY_ROLE}),
    Action("customer.transfer", {A.ADMINISTRATOR: EVERYWHERE}),
    # Giving customers another account manager: managers within their record scope, asked
    # of each customer as it is and as it would be (the new owner must be in reach too).
    Action(
        "customer.assign_owner",
        {A.ADMINISTRATOR: EVERYWHERE, A.BRANCH_MANAGER: IN_SCOPE, A.TEAM_LEAD: IN_SCOPE},
    ),
    Action("group.view", {r: EVERYWHERE for r in EVERY_ROLE}),
    Action("group.create", {r: EVERYWHERE for r in GROUP_MAKERS}),
    Action("group.members", {**{r: CREATOR for r in GROUP_MAKERS}, A.ADMINISTRATOR: EVERYWHERE}),
    Action("group.delete", {**{r: CREATOR for r in GROUP_MAKERS}, A.ADMINISTRATOR: EVERYWHERE}),
    Action("definitions.manage", {A.ADMINISTRATOR: EVERYWHERE}),
)


def customer_scope(viewer: Viewer, customers: QuerySet) -> QuerySet:
    """Restrict a customer queryset to the records the viewer may see."""
    condition = CUSTOMER_VIEW.condition(viewer)
    return customers if condition is None else customers.filter(condition)


def _scopes(viewer: Viewer) -> set[Scope]:
    return {ROLE_SCOPE[r] for r in viewer.roles if r in ROLE_SCOPE}


def scope_values(viewer: Viewer) -> dict[str, int]:
    """The viewer's record scope as the values ``scope_condition`` takes.

    The same rule as ``customer_scope``, in a condition whose SQL is the same for every
    viewer, so that a query compiled once serves all of them (``guanxi.compiled_query``).
    Ids are positive, so 0 matches nothing.
    """
    scopes = _scopes(viewer)
    return {
        "everyone": int(Scope.ALL in scopes),
        "own_id": (viewer.user_id or 0) if Scope.OWN in scopes else 0,
        "branch_id": (viewer.branch_id or 0) if Scope.BRANCH in scopes else 0,
        "team_of": (viewer.user_id or 0) if Scope.TEAM in scopes else 0,
    }


def scope_condition(everyone: int, own_id: int, branch_id: int, team_of: int = 0) -> Q:
    """Customers within a scope given as ``scope_values`` (``team_of``: a team lead's id)."""
    return (
        Q(Exact(Value(everyone), 1))
        | Q(owner_id=own_id)
        | Q(branch_id=branch_id)
        | Q(owner_id__in=teammates_of(team_of))
    )


def scope_unit(viewer: Viewer) -> tuple[str, int] | None:
    """The one branch (``("branch", id)``) or account manager (``("owner", id)``) whose
    customers are exactly the viewer's record scope, for figures kept per branch and per
    account manager; None for every customer, a team, or several scopes at once."""
    scopes = _scopes(viewer)
    if scopes == {Scope.BRANCH} and viewer.branch_id is not None:
        return "branch", viewer.branch_id
    if scopes == {Scope.OWN} and viewer.user_id is not None:
        return "owner", viewer.user_id
    return None


def may_own_customers(roles) -> bool:
    """Whether a user with these roles may be a customer's owner (account manager)."""
    return any(r in roles for r in OWNERS)


def sees_all_customers(viewer: Viewer) -> bool:
    """Whether the viewer's record scope is every customer (company-wide figures apply)."""
    return CUSTOMER_VIEW.reaches_everything(viewer)
