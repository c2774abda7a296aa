"""Validation of administrator-defined custom field values."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from guanxi.customers.models import CustomFieldDefinition, CustomFieldType


def _coerce(definition: CustomFieldDefinition, value: object) -> object:
    kind = definition.field_type
    if kind == CustomFieldType.TEXT:
        return str(value).strip()
    if kind == CustomFieldType.NUMBER:
        if isinstance(value, bool):
            raise ValueError
        return value if isinstance(value, int) else float(str(value))
    if kind == CustomFieldType.DATE:
        return date.fromisoformat(str(value)).isoformat()
    if kind == CustomFieldType.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError
        return value
    if value not in definition.choices:
        raise ValueError
    return value


def clean_custom_fields(values: dict, partial: bool) -> dict:
    """Check values against the definitions: known keys, right types, required ones present."""
    definitions = {d.key: d for d in CustomFieldDefinition.objects.all()}
    errors: dict[str, str] = {}
    cleaned: dict = {}
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[f"custom_fields.{key}"] = _("There is no custom field with this key.")
            continue
        if value is None or value == "":
            cleaned[key] = None
            continue
        try:
            cleaned[key] = _coerce(definition, value)
        except (TypeError, ValueError):
            errors[f"custom_fields.{key}"] = _("Expected a value of type %(type)s.") % {
                "type": definition.get_field_type_display()
            }
    if not partial:
        for key, definition in definitions.items():
            if definition.required and cleaned.get(key) in (None, ""):
                errors[f"custom_fields.{key}"] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    return cleaned
