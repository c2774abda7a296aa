"""Deactivating a user: refused while they hold records that would be left without an owner.

The API, the staff page and the Django admin all come here, so a user who still owns
customers, live leads, open opportunities or open activities stays active until their
portfolio is handed over (``guanxi.org.handover``). Deactivating revokes their API tokens.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.core.events import publish
from guanxi.org.events import StaffDeactivated
from guanxi.org.models import ApiToken, Profile
from guanxi.org.portfolio import owned_remaining, portfolio_counts, records_text
from guanxi.org.selectors import staff_get_for_user
from guanxi.org.services import revoke_tokens_of


class PortfolioNotEmpty(ValidationError):
    """A deactivation refused: ``remaining`` gives, per kind, what the user still holds."""

    def __init__(self, remaining: dict[str, int]) -> None:
        held = ", ".join(records_text(kind, n) for kind, n in remaining.items())
        message = _("Hand over their portfolio first: they still hold %(held)s.") % {"held": held}
        super().__init__({"portfolio": [message]})
        self.remaining = remaining


def deactivation_blockers(user_id: int) -> dict[str, int]:
    """What the user holds that a deactivation would leave without an owner, per kind."""
    return owned_remaining(portfolio_counts([user_id])[user_id])


def staff_deactivate(*, viewer: policy.Viewer, user_id: int, context: RequestContext) -> Profile:
    """Deactivate a colleague (administrators) and revoke their API tokens.

    Out of reach reads as missing; deactivating oneself or someone already inactive is a
    ``ValidationError``; someone still holding records is ``PortfolioNotEmpty`` (409).
    """
    policy.require(viewer, "staff.deactivate")
    profile = staff_get_for_user(viewer=viewer, user_id=user_id, action="staff.deactivate")
    user = profile.user
    if user.pk == viewer.user_id:
        raise ValidationError({"user_id": [_("You cannot deactivate yourself.")]})
    if not user.is_active:
        raise ValidationError({"user_id": [_("This user is inactive already.")]})
    with transaction.atomic():
        # Locked first, so a handover to them cannot land between the check and the change.
        user = type(user).objects.select_for_update().get(pk=user.pk)
        remaining = deactivation_blockers(user.pk)
        if remaining:
            raise PortfolioNotEmpty(remaining)
        user.is_active = False
        user.save(update_fields=["is_active"])
        tokens = ApiToken.objects.filter(user=user, revoked=False).count()
        record(
            viewer.user, AuditAction.UPDATE, "user", [user.pk], ["is_active"], context,
            changes={"is_active": [True, False], "tokens_revoked": [None, tokens]},
            name=user.get_username(),
        )  # fmt: skip
        publish(StaffDeactivated(tokens_revoked=tokens), actor=viewer.user, record=user)
        revoke_tokens_of(user.get_username())
    profile.user = user
    return profile
