"""Who acts, as the policy sees them, and the little it needs to know of a customer."""

import functools
from dataclasses import dataclass, field

from guanxi.org.models import Profile
from guanxi.org.roles import Role


@dataclass(frozen=True)
class Viewer:
    """The user on whose behalf a service acts, with what the policy needs to know."""

    user_id: int | None
    username: str
    roles: frozenset[str]
    branch_id: int | None
    user: object = field(compare=False, repr=False, default=None)
    team_id: int | None = None

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
            team_id=profile.team_id if profile else None,
        )

    @classmethod
    def system(cls) -> "Viewer":
        """The actor for work no user asked for: background tasks, loaders, benchmarks.

        It has no user, so audit entries and events name no one ("system"), and the
        administrator's role, so it goes through the same policy checks as every caller
        instead of a twin of the service that skips them.
        """
        return cls(
            user_id=None, username="system", roles=frozenset({Role.ADMINISTRATOR}), branch_id=None
        )

    @functools.cached_property
    def teammate_ids(self) -> frozenset[int]:
        """User ids of the members of the viewer's team, the viewer included.

        Read once per viewer (a request), and only for a team lead's record checks; the
        queryset form of team scope is a subquery instead (``guanxi.policy.scope``).
        """
        if self.user_id is None:
            return frozenset()  # the system actor is in no team
        return frozenset(
            Profile.objects.filter(team__members__user_id=self.user_id).values_list(
                "user_id", flat=True
            )
        )


@dataclass(frozen=True)
class CustomerRef:
    """What the policy needs to know of a customer: who owns it and in which branch.

    Model instances fit too; lists build these from plain values to stay cheap.
    """

    pk: int
    owner_id: int | None
    branch_id: int | None
