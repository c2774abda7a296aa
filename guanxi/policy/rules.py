"""Scope rules: how far a role's right to an action reaches, as a test and as a condition.

A rule answers the same question twice, so the two can never disagree: for one record in
memory (``allows``), and for a queryset as a ``Q`` (``condition``; ``None`` means every
record). Records are described by ``Fields``, the names of their owner, branch and creator
columns, so one rule serves customers today and leads, opportunities, activities and cases
as they arrive.
"""

from dataclasses import dataclass
from enum import IntEnum

from django.db.models import Q

from guanxi.org.models import Profile
from guanxi.org.roles import Role
from guanxi.policy.viewer import Viewer


class Scope(IntEnum):
    """How far a role's view of owned records reaches."""

    OWN = 1
    TEAM = 2
    BRANCH = 3
    ALL = 4


# The record scope of each role: what "in scope" means in the action table.
ROLE_SCOPE: dict[str, Scope] = {
    Role.ADMINISTRATOR: Scope.ALL,
    Role.BRANCH_MANAGER: Scope.BRANCH,
    Role.TEAM_LEAD: Scope.TEAM,
    Role.ACCOUNT_MANAGER: Scope.OWN,
    Role.SERVICE_AGENT: Scope.ALL,
    Role.MARKETER: Scope.ALL,
    Role.ANALYST: Scope.ALL,
    Role.AUDITOR: Scope.ALL,
}


@dataclass(frozen=True)
class Fields:
    """Where an owned record keeps its owner, branch and creator (attribute = column)."""

    owner: str = "owner_id"
    branch: str = "branch_id"
    creator: str = "created_by_id"


OWNED = Fields()

NOTHING = Q(pk__in=[])


class Rule:
    """Which records a role may act on."""

    name = ""

    def allows(self, viewer: Viewer, role: str, record, fields: Fields) -> bool:
        """Whether the role reaches this record."""
        raise NotImplementedError

    def condition(self, viewer: Viewer, role: str, fields: Fields) -> Q | None:
        """The records the role reaches, as a condition; ``None`` for every record."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name


class Everywhere(Rule):
    """Any record: the role alone decides."""

    name = "everywhere"

    def allows(self, viewer, role, record, fields) -> bool:
        return True

    def condition(self, viewer, role, fields) -> Q | None:
        return None


class InScope(Rule):
    """Records within the role's record scope: own, team, branch or all (``ROLE_SCOPE``)."""

    name = "in scope"

    def allows(self, viewer, role, record, fields) -> bool:
        scope = ROLE_SCOPE.get(role)
        owner = getattr(record, fields.owner)
        if scope is Scope.ALL:
            return True
        if scope is Scope.BRANCH:
            branch = getattr(record, fields.branch)
            return branch is not None and branch == viewer.branch_id
        if scope is Scope.TEAM:
            return owner is not None and owner in viewer.teammate_ids
        if scope is Scope.OWN:
            return owner is not None and owner == viewer.user_id
        return False

    def condition(self, viewer, role, fields) -> Q | None:
        scope = ROLE_SCOPE.get(role)
        if scope is Scope.ALL:
            return None
        if scope is Scope.BRANCH:
            if viewer.branch_id is None:
                return NOTHING
            return Q(**{fields.branch: viewer.branch_id})
        if scope is Scope.TEAM:
            return Q(**{f"{fields.owner}__in": teammates_of(viewer.user_id)})
        if scope is Scope.OWN:
            return Q(**{fields.owner: viewer.user_id})
        return NOTHING


class SameBranch(Rule):
    """Records of the viewer's own branch (head office staff: records of no branch)."""

    name = "same branch"

    def allows(self, viewer, role, record, fields) -> bool:
        return getattr(record, fields.branch) == viewer.branch_id

    def condition(self, viewer, role, fields) -> Q | None:
        if viewer.branch_id is None:
            return Q(**{f"{fields.branch}__isnull": True})
        return Q(**{fields.branch: viewer.branch_id})


class Creator(Rule):
    """Records the viewer created (a group's owner is who made it)."""

    name = "creator"

    def allows(self, viewer, role, record, fields) -> bool:
        creator = getattr(record, fields.creator)
        return creator is not None and creator == viewer.user_id

    def condition(self, viewer, role, fields) -> Q | None:
        return Q(**{fields.creator: viewer.user_id})


EVERYWHERE, IN_SCOPE, SAME_BRANCH, CREATOR = Everywhere(), InScope(), SameBranch(), Creator()


def teammates_of(user_id: int):
    """User ids of the members of a user's team, as a subquery.

    It depends on the user id alone, so a query compiled once for a shape of viewer
    (``guanxi.compiled_query``) serves every team lead.
    """
    return Profile.objects.filter(team__members__user_id=user_id).values("user_id")


@dataclass(frozen=True)
class Action:
    """One thing a user may do: the roles that may, each with the rule of how far."""

    name: str
    rules: dict[str, Rule]
    fields: Fields = OWNED

    def roles(self) -> frozenset[str]:
        """The roles that may do this at all (navigation and buttons ask this)."""
        return frozenset(self.rules)

    def allows(self, viewer: Viewer, record=None) -> bool:
        """Whether the viewer may do this; without a record, whether their roles may at all."""
        held = [r for r in self.rules if r in viewer.roles]
        if record is None:
            return bool(held)
        return any(self.rules[r].allows(viewer, r, record, self.fields) for r in held)

    def covering_roles(self, viewer: Viewer, record) -> list[str]:
        """The viewer's roles that reach this record."""
        return [
            r
            for r in self.rules
            if r in viewer.roles and self.rules[r].allows(viewer, r, record, self.fields)
        ]

    def condition(self, viewer: Viewer) -> Q | None:
        """The records the viewer may do this to, as one condition (``None``: all).

        Built in the table's role order, so the same roles always make the same SQL.
        """
        parts = []
        for role, rule in self.rules.items():
            if role not in viewer.roles or self._within_team(viewer, role):
                continue
            part = rule.condition(viewer, role, self.fields)
            if part is None:
                return None
            parts.append(part)
        condition = NOTHING
        for part in parts:
            condition |= part
        return condition

    def _within_team(self, viewer: Viewer, role: str) -> bool:
        """Whether the role reaches only the viewer's own records while another of their
        roles reaches their team's, which includes them: its condition would add nothing but
        an OR that keeps the database from reading the (owner, ...) indexes."""
        if viewer.team_id is None or ROLE_SCOPE.get(role) is not Scope.OWN:
            return False
        if not isinstance(self.rules[role], InScope):
            return False
        return any(
            isinstance(self.rules[other], InScope) and ROLE_SCOPE.get(other) is Scope.TEAM
            for other in self.rules
            if other in viewer.roles
        )

    def reaches_everything(self, viewer: Viewer) -> bool:
        """Whether the viewer may do this to every record."""
        return self.condition(viewer) is None
