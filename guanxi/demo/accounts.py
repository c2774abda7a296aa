"""The demo logins: one user per role, placed where the demo data makes their pages useful."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from guanxi import policy
from guanxi.activities.demo import hand_over_activities
from guanxi.customers.models import Customer
from guanxi.org.models import Branch, Profile, Team
from guanxi.org.roles import Role
from guanxi.org.services import create_staff

DEMO_PASSWORD = "guanxi-demo"
DISPLAY_NAMES = {
    Role.ADMINISTRATOR: "系统管理员",
    Role.BRANCH_MANAGER: "王行长",
    Role.TEAM_LEAD: "陈组长",
    Role.ACCOUNT_MANAGER: "李经理",
    Role.SERVICE_AGENT: "客服小周",
    Role.MARKETER: "市场小吴",
    Role.ANALYST: "分析师郑",
    Role.AUDITOR: "审计员冯",
}


@dataclass(frozen=True)
class DemoLogin:
    """A login to print: user name, password, role and where the user sits."""

    username: str
    password: str
    role: Role
    branch: str
    customers: int


@transaction.atomic
def ensure_demo_users(password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    """Create (or reset the password of) one user per role, named after the role.

    The branch manager, team lead and account manager sit in the branch with the most
    customers (the team lead and account manager in its first team), and the demo account
    manager takes over the portfolio of that branch's biggest account manager, so the team
    lead sees that portfolio and those of the team's generated account managers.
    """
    branch = Branch.objects.annotate(size=Count("customers")).order_by("-size", "code").first()
    logins = []
    for role in Role:
        user = _user_for(role, password, branch if policy.needs_branch([role]) else None)
        if role == Role.ACCOUNT_MANAGER and branch is not None:
            _take_over_portfolio(user, branch)
        logins.append(
            DemoLogin(
                username=user.username,
                password=password,
                role=role,
                branch=branch.name if branch and policy.needs_branch([role]) else "",
                customers=Customer.objects.filter(owner=user).count(),
            )
        )
    return logins


def _user_for(role: Role, password: str, branch: Branch | None):
    """The demo user of a role, created through the org service or reset to the password."""
    user = get_user_model().objects.filter(username=role.value).first()
    if user is None:
        team = Team.objects.filter(branch=branch).order_by("name").first() if branch else None
        user = create_staff(role.value, password, [role.value], branch, team, DISPLAY_NAMES[role])
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    if role == Role.ADMINISTRATOR and not user.is_superuser:
        # The administrator may also use Django's admin site.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user


def _take_over_portfolio(user, branch: Branch) -> None:
    """Hand the demo account manager the customers of the branch's busiest colleague."""
    if Customer.objects.filter(owner=user).exists():
        return
    # Roles live in a JSON list, which SQLite cannot filter on; a branch has few staff.
    colleagues = [
        profile.user_id
        for profile in Profile.objects.filter(branch=branch).exclude(user=user)
        if Role.ACCOUNT_MANAGER in profile.roles
    ]
    busiest = (
        Customer.objects.filter(owner_id__in=colleagues)
        .values("owner_id")
        .annotate(size=Count("id"))
        .order_by("-size")
        .first()
    )
    if busiest is not None:
        Customer.objects.filter(owner_id=busiest["owner_id"]).update(owner=user)
        hand_over_activities(user)
