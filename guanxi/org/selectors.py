"""Reads of the organisation's staff, through the permission policy (``staff.*`` actions)."""

from guanxi import policy
from guanxi.org.models import Profile
from guanxi.org.portfolio import portfolio_counts


def list_staff(viewer: policy.Viewer, branch_id: int | None = None) -> list[dict]:
    """Active staff the viewer may see, optionally of one branch; roles where they may see
    them (``None`` otherwise)."""
    profiles = policy.scoped(
        viewer, Profile.objects.select_related("user").filter(user__is_active=True), "staff.view"
    )
    if branch_id is not None:
        profiles = profiles.filter(branch_id=branch_id)
    return [
        {
            "id": p.user_id,
            "username": p.user.get_username(),
            "display_name": p.display_name,
            "roles": p.roles if policy.allows(viewer, "staff.roles", p) else None,
            "branch_id": p.branch_id,
        }
        for p in profiles.order_by("user__username")[:1000]
    ]


def account_managers_for_user(viewer: policy.Viewer, branch_id: int | None = None) -> list[Profile]:
    """Active account managers the viewer may see (``staff.view``), optionally of one branch.

    Roles are a JSON list, which SQLite cannot search inside, so the role test runs here;
    staff lists are small next to customer lists.
    """
    profiles = policy.scoped(
        viewer,
        Profile.objects.select_related("user", "branch").filter(
            user__is_active=True, branch__isnull=False
        ),
        "staff.view",
    ).order_by("display_name", "user__username")
    if branch_id is not None:
        profiles = profiles.filter(branch_id=branch_id)
    return [p for p in profiles if policy.may_own_customers(p.roles)]


def staff_get_for_user(*, viewer: policy.Viewer, user_id: int, action: str) -> Profile:
    """The profile of a colleague the viewer may do ``action`` to (``Profile.DoesNotExist``
    otherwise: out of scope reads as missing), with its user, active or not."""
    return policy.scoped(viewer, Profile.objects.select_related("user", "branch"), action).get(
        user_id=user_id
    )


def staff_portfolio_list(*, viewer: policy.Viewer, limit: int = 500) -> list[dict]:
    """Staff whose portfolio the viewer may see, each with what they hold per kind.

    Inactive colleagues who still hold records are listed too: those need a handover. The
    counts are one grouped query per kind, whatever the number of staff.
    """
    profiles = list(
        policy.scoped(
            viewer, Profile.objects.select_related("user", "branch"), "portfolio.view"
        ).order_by("-user__is_active", "display_name", "user__username")[:limit]
    )
    counts = portfolio_counts([p.user_id for p in profiles])
    rows = [
        {"profile": p, "counts": counts[p.user_id], "total": sum(counts[p.user_id].values())}
        for p in profiles
    ]
    return [r for r in rows if r["profile"].user.is_active or r["total"]]


def staff_portfolio_get(*, viewer: policy.Viewer, user_id: int) -> dict:
    """A colleague the viewer may see the portfolio of, with what they hold per kind (a
    role that sees no portfolio is refused; a colleague out of reach reads as missing)."""
    policy.require(viewer, "portfolio.view")
    profile = staff_get_for_user(viewer=viewer, user_id=user_id, action="portfolio.view")
    counts = portfolio_counts([profile.user_id])[profile.user_id]
    return {"profile": profile, "counts": counts, "total": sum(counts.values())}
