"""Revealing a masked value: once, for a stated reason, a limited number of times an hour.

A reveal shows one personal value the viewer's role sees masked. It needs a reason a
reviewer can understand later (not "test" or "1234"), and each user may reveal at most
``GUANXI_REVEALS_PER_HOUR`` values an hour, so a compromised or curious account cannot
unmask a portfolio. Every reveal and every refusal is written to the audit log; a refusal
at once, outside any transaction, since it is evidence too.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.audit.services import RequestContext, record
from guanxi.customers.identity import national_phone
from guanxi.customers.selectors import customer_get_for_user

HAN = re.compile(r"[\u3400-\u9fff]")
LETTER = re.compile(r"[^\W\d_]")
# A reason in Chinese says something in four characters (客户来电); in letters it takes ten.
MIN_HAN, MIN_LETTERS, MIN_DISTINCT = 4, 10, 4


class RevealLimitReached(ValidationError):
    """The user revealed as many values as an hour allows."""


def reason_problem(reason: str) -> str | None:
    """Why a reveal reason is not one a reviewer could understand later, or None."""
    text = (reason or "").strip()
    han = len(HAN.findall(text))
    letters = len(LETTER.findall(text)) - han
    distinct = len({c for c in text.lower() if not c.isspace()})
    if (han >= MIN_HAN or letters >= MIN_LETTERS) and distinct >= MIN_DISTINCT:
        return None
    return _(
        "Say why you need to see this value, in words a reviewer will understand "
        "(e.g. 客户来电核实身份 or 'customer called to verify identity')."
    )


def _reveals_in_the_last_hour(viewer: policy.Viewer) -> int:
    since = timezone.now() - timedelta(hours=1)
    return AuditEntry.objects.filter(
        actor_id=viewer.user_id, action=AuditAction.REVEAL, at__gte=since
    ).count()


def _refuse(viewer, customer_id: int, field: str, context, reason: str, error: Exception):
    record(
        viewer.user,
        AuditAction.REVEAL_REFUSED,
        "customer",
        [customer_id],
        [field],
        context,
        reason[:300],
    )
    raise error


def customer_reveal_field(
    *, viewer: policy.Viewer, customer_id: int, field: str, reason: str, context: RequestContext
) -> str:
    """Show one masked value once, for a stated reason; the reveal is audited."""
    if field not in policy.PERSONAL_FIELDS:
        raise ValidationError({"field": [_("Only phone, ID number and email can be revealed.")]})
    customer = customer_get_for_user(viewer=viewer, customer_id=customer_id)
    policy.require(viewer, "customer.reveal", customer)
    access = policy.field_access(viewer, [customer])[customer.pk][field]
    if access is policy.Access.HIDDEN:
        denied = PermissionDenied(_("Your role may not see this value."))
        _refuse(viewer, customer.pk, field, context, reason, denied)
    problem = reason_problem(reason)
    if problem:
        _refuse(viewer, customer.pk, field, context, reason, ValidationError({"reason": [problem]}))
    limit = settings.GUANXI_REVEALS_PER_HOUR
    if _reveals_in_the_last_hour(viewer) >= limit:
        message = _("You revealed %(limit)s values in the last hour, the most allowed.") % {
            "limit": limit
        }
        _refuse(
            viewer, customer.pk, field, context, reason, RevealLimitReached({"reason": [message]})
        )
    value = getattr(customer, field)
    record(viewer.user, AuditAction.REVEAL, "customer", [customer.pk], [field], context, reason)
    return national_phone(value) if field == "phone" else value
