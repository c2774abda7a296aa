"""The organisation domain's actions: who sees which colleagues, and their roles.

Staff lists are reference data: an administrator sees everyone; a branch manager the staff
of their branch with their roles; everyone else the colleagues of their own branch (head
office staff: head office), by name only, which is what choosing an owner or assignee needs.

A colleague's portfolio (what they own) and its handover follow record scope over staff:
administrators reach everyone, branch managers their branch, team leads their team; the
handover is asked of the person leaving and of each person receiving. Deactivating a user
is an administrator's act.
"""

from guanxi.org.roles import Role
from guanxi.policy.rules import (
    EVERYWHERE,
    IN_SCOPE,
    ROLE_SCOPE,
    SAME_BRANCH,
    Action,
    Fields,
    Scope,
)

# A staff member's profile: its branch; "owner" and "creator" are the person themself.
STAFF = Fields(owner="user_id", branch="branch_id", creator="user_id")

# Who hands a colleague's portfolio over, each within their record scope over staff.
HANDOVER_ROLES = (Role.ADMINISTRATOR, Role.BRANCH_MANAGER, Role.TEAM_LEAD)

ACTIONS = (
    Action(
        "staff.view",
        {Role.ADMINISTRATOR: EVERYWHERE, **{r: SAME_BRANCH for r in Role if r != "administrator"}},
        STAFF,
    ),
    Action(
        "staff.roles", {Role.ADMINISTRATOR: EVERYWHERE, Role.BRANCH_MANAGER: SAME_BRANCH}, STAFF
    ),
    Action("portfolio.view", {r: IN_SCOPE for r in HANDOVER_ROLES}, STAFF),
    Action("portfolio.hand_over", {r: IN_SCOPE for r in HANDOVER_ROLES}, STAFF),
    Action("staff.deactivate", {Role.ADMINISTRATOR: EVERYWHERE}, STAFF),
)


def needs_branch(roles) -> bool:
    """Whether a user with these roles must sit in a branch (their scope is drawn from it)."""
    return any(ROLE_SCOPE.get(r) in (Scope.OWN, Scope.TEAM, Scope.BRANCH) for r in roles)


def needs_team(roles) -> bool:
    """Whether a user with these roles must sit in a team (a team lead's scope is it)."""
    return any(ROLE_SCOPE.get(r) is Scope.TEAM for r in roles)


def receives_team_escalations(roles) -> bool:
    """Whether overdue work of this person's team goes to them first (a team lead)."""
    return Role.TEAM_LEAD in roles


def receives_branch_escalations(roles) -> bool:
    """Whether overdue work of this person's branch goes to them when no team lead takes it,
    and at the second level (a branch manager)."""
    return Role.BRANCH_MANAGER in roles
