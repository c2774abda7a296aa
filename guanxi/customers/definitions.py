"""The catalogue administrators define: products and custom customer fields."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record
from guanxi.concurrency import unique_or_conflict
from guanxi.customers.models import CustomFieldDefinition, CustomFieldType, Product


def product_define(
    *, viewer: policy.Viewer, data: dict, context: RequestContext | None = None
) -> Product:
    """Add a product to the catalogue (administrators)."""
    policy.require(viewer, "definitions.manage")
    product = Product(**data)
    try:
        product.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    with unique_or_conflict("code", _("A product with this code exists already.")):
        product.save()
        record(
            viewer.user,
            AuditAction.CREATE,
            "product",
            [product.pk],
            sorted(data),
            context,
            changes=created(data),
            name=product.name,
        )
    return product


def custom_field_define(
    *, viewer: policy.Viewer, data: dict, context: RequestContext | None = None
) -> CustomFieldDefinition:
    """Add an administrator-defined customer field."""
    policy.require(viewer, "definitions.manage")
    definition = CustomFieldDefinition(**data)
    errors: dict = {}
    if definition.field_type == CustomFieldType.CHOICE and not definition.choices:
        errors["choices"] = [_("A choice field needs choices.")]
    try:
        definition.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with unique_or_conflict("key", _("A field with this key exists already.")):
        definition.save()
        record(
            viewer.user,
            AuditAction.CREATE,
            "custom_field",
            [definition.pk],
            sorted(data),
            context,
            changes=created(data),
            name=definition.label,
        )
    return definition
