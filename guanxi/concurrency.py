"""Optimistic concurrency: updates carry the version they were based on."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import IntegrityError, models, transaction
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


class DuplicateValue(Exception):
    """Another record has a value that must be unique; nothing was written.

    ``existing_id`` names that record, when the caller may see it.
    """

    def __init__(self, field: str, message: str, existing_id: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.existing_id = existing_id


@contextmanager
def unique_or_conflict(field: str, message: str) -> Iterator[None]:
    """A transaction whose unique-constraint failure is a ``DuplicateValue`` for ``field``.

    Services check uniqueness first, for a clear 422; two requests can both pass that check,
    and the database's constraint then decides which one wins.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise DuplicateValue(field, message) from exc


def save_if_version(instance: models.Model, expected_version: int, fields: list[str]) -> None:
    """Write ``fields`` of ``instance`` only if the stored version is still ``expected_version``.

    The check and the write are one UPDATE ... WHERE version = ?, so two concurrent editors
    cannot both succeed.
    """
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    if any(f.name == "updated_at" for f in model._meta.fields):
        values["updated_at"] = timezone.now()
    records = model._default_manager
    updated = records.filter(pk=instance.pk, version=expected_version).update(
        **values, version=expected_version + 1
    )
    if not updated:
        current = records.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise VersionConflict(current or 0)
    setattr(instance, "version", expected_version + 1)  # noqa: B010 (any versioned model)
