"""Whom overdue work escalates to: the active team lead of a person's team first, then an
active branch manager of the branch (the roles are the policy's to name).

Leads nobody answered and cases past their SLA both climb this chain; each asks for all
its records at once, so a sweep costs three queries however many it escalates.
"""

from collections.abc import Iterable

from guanxi import policy
from guanxi.org.models import Profile


def team_leads_of(people: Iterable[int | None]) -> dict[int, int]:
    """Per person among ``people``, the active team lead of their team (two queries); the
    first-created lead when a team has several."""
    teams = dict(
        Profile.objects.filter(user_id__in={p for p in people if p}).values_list(
            "user_id", "team_id"
        )
    )
    active = Profile.objects.filter(
        user__is_active=True, team_id__in={t for t in teams.values() if t}
    )
    lead = {
        p.team_id: p.user_id
        for p in active.order_by("-user_id")
        if policy.receives_team_escalations(p.roles)
    }
    return {person: lead[team] for person, team in teams.items() if team in lead}


def branch_managers_of(branches: Iterable[int | None]) -> dict[int, int]:
    """Per branch among ``branches``, an active branch manager of it (one query); the
    first-created when a branch has several."""
    active = Profile.objects.filter(
        user__is_active=True, branch_id__in={b for b in branches if b}
    ).order_by("-user_id")
    return {
        p.branch_id: p.user_id
        for p in active
        if p.branch_id is not None and policy.receives_branch_escalations(p.roles)
    }
