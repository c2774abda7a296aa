"""The reference data cases use, kept by administrators: the category tree (each
category may name the queue its cases go to), the root-cause taxonomy and the corrective
actions taken on a cause."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record
from guanxi.concurrency import DuplicateValue, unique_or_conflict
from guanxi.service.case_models import CaseCategory, CorrectiveAction, RootCause, ServiceQueue

TAKEN = gettext_lazy("This code is taken.")
MAX_DESCRIPTION = 1000


def _clean(model: type[models.Model], values: dict, errors: dict) -> None:
    for name in ("code", "name", "name_en"):
        values[name] = (values.get(name) or "").strip()
    for name in ("code", "name"):
        if not values[name]:
            errors[name] = [_("This field is required.")]
    parent_id = values.get("parent_id")
    if parent_id is not None and not model._default_manager.filter(pk=parent_id).exists():
        errors["parent_id"] = [_("There is no parent with this ID.")]
    queue_id = values.get("default_queue_id")
    if queue_id is not None and not ServiceQueue.objects.filter(pk=queue_id).exists():
        errors["default_queue_id"] = [_("There is no service queue with this ID.")]
    if errors:
        raise ValidationError(errors)
    existing = model._default_manager.filter(code=values["code"]).values_list("pk", flat=True)
    if existing:
        raise DuplicateValue("code", str(TAKEN), existing_id=existing[0])


def _create(viewer: policy.Viewer, model, kind: str, values: dict, context: RequestContext):
    policy.require(viewer, "case_reference.manage")
    _clean(model, values, {})
    with unique_or_conflict("code", str(TAKEN)):
        found = model._default_manager.create(**values)
        record(
            viewer.user, AuditAction.CREATE, kind, [found.pk], sorted(values), context,
            changes=created(values), name=found.code,
        )  # fmt: skip
    return found


def case_category_create(
    *,
    viewer: policy.Viewer,
    code: str,
    name: str,
    context: RequestContext,
    name_en: str = "",
    parent_id: int | None = None,
    default_queue_id: int | None = None,
) -> CaseCategory:
    """Add a category to the tree (administrators); audited."""
    values = {"code": code, "name": name, "name_en": name_en, "parent_id": parent_id,
              "default_queue_id": default_queue_id}  # fmt: skip
    return _create(viewer, CaseCategory, "case_category", values, context)


def root_cause_create(
    *,
    viewer: policy.Viewer,
    code: str,
    name: str,
    context: RequestContext,
    name_en: str = "",
    parent_id: int | None = None,
) -> RootCause:
    """Add a root cause to the taxonomy (administrators); audited."""
    values = {"code": code, "name": name, "name_en": name_en, "parent_id": parent_id}
    return _create(viewer, RootCause, "root_cause", values, context)


def corrective_action_create(
    *,
    viewer: policy.Viewer,
    root_cause_id: int,
    taken_on: date,
    description: str,
    context: RequestContext,
) -> CorrectiveAction:
    """Record what was done about a root cause and when (administrators); audited. Its
    recurrence is the complaints naming the cause afterwards."""
    policy.require(viewer, "corrective_action.manage")
    description = (description or "").strip()
    errors: dict = {}
    if not RootCause.objects.filter(pk=root_cause_id).exists():
        errors["root_cause_id"] = [_("There is no root cause with this ID.")]
    if not description:
        errors["description"] = [_("This field is required.")]
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = [_("At most %s characters.") % MAX_DESCRIPTION]
    if taken_on > timezone.localdate():
        errors["taken_on"] = [_("A corrective action is recorded once it is taken.")]
    if errors:
        raise ValidationError(errors)
    values = {"root_cause_id": root_cause_id, "taken_on": taken_on, "description": description}
    with transaction.atomic():
        found = CorrectiveAction.objects.create(**values, created_by_id=viewer.user_id)
        record(
            viewer.user, AuditAction.CREATE, "corrective_action", [found.pk], sorted(values),
            context, changes=created({**values, "taken_on": taken_on.isoformat()}),
        )  # fmt: skip
    return found
