"""Optimistic concurrency: updates carry the version they were based on."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _


class VersionConflict(Exception):
    """The record changed since the caller read it; nothing was written."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            _("This record was changed by someone else (now version %(version)s).")
            % {"version": current_version}
        )
        self.current_version = current_version


def save_if_version(instance: models.Model, expected_version: int, fields: list[str]) -> None:
    """Write ``fields`` of ``instance`` only if the stored version is still ``expected_version``.

    The check and the write are one UPDATE ... WHERE version = ?, so two concurrent editors
    cannot both succeed.
    """
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    if any(f.name == "updated_at" for f in model._meta.fields):
        values["updated_at"] = timezone.now()
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
        **values, version=expected_version + 1
    )
    if not updated:
        current = model.objects.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise VersionConflict(current or 0)
    instance.version = expected_version + 1
