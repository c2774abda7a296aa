"""``guanxi create-staff``: add a member of staff with roles, branch and team."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from guanxi.org.models import Branch, Team
from guanxi.org.roles import Role
from guanxi.org.services import create_staff


class Command(BaseCommand):
    """Create a user with a profile and roles."""

    help = _("Create a member of staff. Roles: %(roles)s") % {"roles": ", ".join(Role.values)}

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", action="append", required=True, choices=Role.values)
        parser.add_argument("--branch", help=_("branch code, e.g. BJ01"))
        parser.add_argument("--team", help=_("team name within the branch"))
        parser.add_argument("--display-name", default="")

    def handle(self, *args, **options) -> None:
        branch = None
        if options["branch"]:
            branch = Branch.objects.filter(code=options["branch"]).first()
            if branch is None:
                raise CommandError(
                    _("There is no branch with code %(code)r.") % {"code": options["branch"]}
                )
        team = None
        if options["team"]:
            team = Team.objects.filter(branch=branch, name=options["team"]).first()
            if team is None:
                raise CommandError(
                    _("There is no team %(team)r in that branch.") % {"team": options["team"]}
                )
        try:
            user = create_staff(
                options["username"],
                options["password"],
                options["role"],
                branch,
                team,
                options["display_name"],
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        created = _("created %(user)s (%(roles)s)")
        self.stdout.write(
            created % {"user": user.get_username(), "roles": ", ".join(options["role"])}
        )
