"""Creating the organisation: branches, teams and staff with their roles."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.org.authentication import forget_tokens
from guanxi.org.models import ApiToken, Branch, Company, Profile, Team, hash_token
from guanxi.org.roles import Role


def create_branch(company: Company, code: str, name: str, city: str = "") -> Branch:
    """Add a branch to the company."""
    if Branch.objects.filter(code=code).exists():
        raise ValidationError({"code": [_("A branch with this code exists already.")]})
    return Branch.objects.create(company=company, code=code, name=name, city=city)


def create_staff(
    username: str,
    password: str,
    roles: list[str],
    branch: Branch | None = None,
    team: Team | None = None,
    display_name: str = "",
):
    """Create a user with a profile; roles must be known, and branch roles need a branch."""
    unknown = [r for r in roles if r not in Role.values]
    errors = {}
    if unknown:
        errors["roles"] = [_("Unknown roles: %(roles)s") % {"roles": ", ".join(unknown)}]
    if branch is None and policy.needs_branch(roles):
        errors["branch_id"] = [
            _("Branch managers, team leads and account managers belong to a branch.")
        ]
    if team is None and policy.needs_team(roles):
        errors["team_id"] = [_("A team lead belongs to the team they lead.")]
    elif team is not None and (branch is None or team.branch_id != branch.pk):
        errors["team_id"] = [_("The team must be one of the user's branch.")]
    if get_user_model().objects.filter(username=username).exists():
        errors["username"] = [_("This user name is taken.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, password=password)
        Profile.objects.create(
            user=user, roles=list(roles), branch=branch, team=team, display_name=display_name
        )
    return user


def remember_language(user, language: str) -> bool:
    """Save a user's interface language so it follows them to other browsers at login.

    Unknown language codes are ignored; returns whether the choice was saved.
    """
    if language not in dict(settings.LANGUAGES):
        return False
    return Profile.objects.filter(user=user).update(language=language) > 0


def revoke_token(raw: str) -> bool:
    """Revoke the token with this raw value; returns whether an active one was found."""
    revoked = ApiToken.objects.filter(key_hash=hash_token(raw), revoked=False).update(revoked=True)
    forget_tokens()
    return revoked > 0


def revoke_tokens_of(username: str) -> int:
    """Revoke every token of a user (who left, or whose token leaked); returns how many."""
    revoked = ApiToken.objects.filter(user__username=username, revoked=False).update(revoked=True)
    forget_tokens()
    return revoked
