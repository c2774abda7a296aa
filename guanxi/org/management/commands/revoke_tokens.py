"""``guanxi revoke-tokens USERNAME``: revoke every API token of a user."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.org.services import revoke_tokens_of


class Command(BaseCommand):
    """Revoke a user's API tokens, e.g. when they leave or a token has leaked."""

    help = _("Revoke every API bearer token of a user.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        count = revoke_tokens_of(username)
        message = ngettext(
            "Revoked %(count)d token of %(user)s.", "Revoked %(count)d tokens of %(user)s.", count
        )
        self.stdout.write(message % {"count": count, "user": username})
