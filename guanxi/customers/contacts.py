"""The contact persons of an organisation customer."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, deleted, record, updated
from guanxi.concurrency import save_if_version
from guanxi.customers.identity import clean_identity
from guanxi.customers.inputs import ContactFields
from guanxi.customers.models import Contact, CustomerKind
from guanxi.customers.selectors import customer_get_editable_for_user
from guanxi.storable import check_storable


def contact_add(
    *, viewer: policy.Viewer, customer_id: int, fields: ContactFields, context: RequestContext
) -> Contact:
    """Add a contact person to an organisation customer; audited with the fields given."""
    customer = customer_get_editable_for_user(viewer=viewer, customer_id=customer_id)
    errors: dict = {}
    if customer.kind != CustomerKind.ORGANISATION:
        errors["customer"] = [_("Only organisation customers have contact persons.")]
    cleaned = fields.given()
    clean_identity(cleaned, errors)
    if errors:
        raise ValidationError(errors)
    contact = Contact(customer=customer, **cleaned)
    check_storable(contact, list(cleaned))
    with transaction.atomic():
        contact.save()
        record(
            viewer.user,
            AuditAction.CREATE,
            "contact",
            [contact.pk],
            sorted(cleaned),
            context,
            changes=created(cleaned),
            name=contact.name,
            customers=[customer.pk],
        )
    return contact


def _editable_contact(viewer: policy.Viewer, customer_id: int, contact_id: int) -> Contact:
    customer = customer_get_editable_for_user(viewer=viewer, customer_id=customer_id)
    return Contact.objects.get(pk=contact_id, customer=customer)


def contact_update(
    *,
    viewer: policy.Viewer,
    customer_id: int,
    contact_id: int,
    changes: ContactFields,
    expected_version: int,
    context: RequestContext,
) -> Contact:
    """Change the given details of a contact person (a field not given is left as it is);
    a stale version changes nothing."""
    contact = _editable_contact(viewer, customer_id, contact_id)
    errors: dict = {}
    cleaned = changes.given()
    clean_identity(cleaned, errors)
    if "name" in cleaned and not (cleaned["name"] or "").strip():
        errors["name"] = [_("A contact needs a name.")]
    if errors:
        raise ValidationError(errors)
    made = updated(contact, cleaned)
    check_storable(contact, list(made))
    with transaction.atomic():
        save_if_version(contact, expected_version, list(made))
        record(
            viewer.user,
            AuditAction.UPDATE,
            "contact",
            [contact.pk],
            sorted(cleaned),
            context,
            changes=made,
            name=contact.name,
            customers=[customer_id],
        )
    return contact


def contact_remove(
    *, viewer: policy.Viewer, customer_id: int, contact_id: int, context: RequestContext
) -> None:
    """Remove a contact person from an organisation customer."""
    contact = _editable_contact(viewer, customer_id, contact_id)
    with transaction.atomic():
        values = {k: getattr(contact, k) for k in ("name", "title", "phone", "email")}
        record(
            viewer.user,
            AuditAction.DELETE,
            "contact",
            [contact.pk],
            [],
            context,
            changes=deleted(values),
            name=contact.name,
            customers=[customer_id],
        )
        contact.delete()
