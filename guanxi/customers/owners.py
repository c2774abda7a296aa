"""Giving customers another account manager, several at once (the list's bulk action).

The single-customer way is an edit of ``owner_id`` (``services.customer_update``); this
one changes a batch as one transaction: every customer must be in the viewer's reach, and
the new owner too, or nothing changes.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.customers import events
from guanxi.customers.models import Customer
from guanxi.customers.selection import bulk_limit, too_many_message
from guanxi.org.models import Profile


def _new_owner(owner_id: int) -> Profile:
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    profile = Profile.objects.filter(user=owner).first() if owner else None
    if profile is None:
        raise ValidationError({"owner_id": [_("There is no active user with this ID.")]})
    if not policy.may_own_customers(profile.roles):
        raise ValidationError({"owner_id": [_("The owner must be an account manager.")]})
    return profile


def _check_ids(customer_ids: list[int]) -> list[int]:
    ids = sorted(set(customer_ids))
    if not ids:
        raise ValidationError({"customer_ids": [_("Choose at least one customer.")]})
    if len(ids) > bulk_limit():
        raise ValidationError({"customer_ids": [too_many_message(bulk_limit())]})
    return ids


def customer_assign_owner(
    *,
    viewer: policy.Viewer,
    customer_ids: list[int],
    owner_id: int,
    context: RequestContext,
) -> list[int]:
    """Make ``owner_id`` the account manager of these customers; returns the ids changed
    (a customer the owner has already is left as it is).

    All or nothing: a customer out of the viewer's scope reads as unknown (asked before the
    viewer's right, as a record out of scope reads as missing), and an owner the
    viewer may not give them to, or of another branch than any of them, is refused; in
    either case nothing changes. Each customer changed gets its own audit entry (old and
    new owner) and ``customer.updated`` event, and a new version, so an editor holding the
    old one gets a conflict instead of overwriting the new owner.
    """
    ids = _check_ids(customer_ids)
    with transaction.atomic():
        # Locked in id order, so two batches over the same customers queue, not deadlock.
        rows = Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        customers = list(
            policy.customer_scope(viewer, rows).only(
                "id", "owner_id", "branch_id", "value_tier", "version"
            )
        )
        unknown = sorted(set(ids) - {c.pk for c in customers})
        if unknown:
            message = _("Unknown customers: %(ids)s") % {"ids": unknown}
            raise ValidationError({"customer_ids": [message]})
        for customer in customers:
            policy.require(viewer, "customer.assign_owner", customer)
        owner = _new_owner(owner_id)
        for customer in customers:
            planned = policy.CustomerRef(customer.pk, owner.user_id, customer.branch_id)
            if not policy.allows(viewer, "customer.assign_owner", planned):
                message = _("You cannot give customers to this account manager.")
                raise ValidationError({"owner_id": [message]})
            if customer.branch_id != owner.branch_id:
                message = _("The owner must belong to the customer's branch.")
                raise ValidationError({"owner_id": [message]})
        changed = [c for c in customers if c.owner_id != owner.user_id]
        Customer.objects.filter(pk__in=[c.pk for c in changed]).update(
            owner_id=owner.user_id, version=F("version") + 1, updated_at=timezone.now()
        )
        for customer in changed:
            old = customer.owner_id
            customer.owner_id = owner.user_id
            record(
                viewer.user,
                AuditAction.UPDATE,
                "customer",
                [customer.pk],
                ["owner_id"],
                context,
                changes={"owner_id": [old, owner.user_id]},
            )
            events.publish_customer_updated(
                customer=customer,
                fields=["owner_id"],
                old_tier=customer.value_tier,
                actor=viewer.user,
            )
    return [c.pk for c in changed]
