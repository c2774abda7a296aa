"""``guanxi create-token USERNAME``: issue an API bearer token for a user."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from guanxi.org.models import ApiToken


class Command(BaseCommand):
    """Issue an API token and print it once."""

    help = _("Issue a bearer token for the REST API; it is printed once and stored hashed.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help=_("a label to recognise the token by"))

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active user called %(user)r.") % {"user": username})
        _token, raw = ApiToken.issue(user, name=name)
        self.stdout.write(raw)
