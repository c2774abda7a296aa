"""The limits every file kept with a record obeys (an activity's, a case's), through
Django's storage.

``GUANXI_ATTACHMENT_MAX_BYTES`` is the largest file; ``GUANXI_ATTACHMENT_TYPES`` maps each
allowed file name extension to the content types it may be sent as. A file over the limit
or of another type is refused naming ``file``, and nothing is stored.
"""

from collections.abc import Callable
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _


def checked_upload(upload: UploadedFile) -> tuple[str, str]:
    """The cleaned file name and content type, or a ValidationError naming ``file``."""
    limit = settings.GUANXI_ATTACHMENT_MAX_BYTES
    allowed: dict = settings.GUANXI_ATTACHMENT_TYPES
    name = PurePath((upload.name or "").replace("\\", "/")).name.strip()[:200]
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    extension = PurePath(name).suffix.lower()
    if not upload.size:
        raise ValidationError({"file": [_("The file is empty.")]})
    if upload.size > limit:
        raise ValidationError(
            {"file": [_("Files are limited to %(mb).0f MB.") % {"mb": limit / 2**20}]}
        )
    if extension not in allowed or content_type not in allowed[extension]:
        raise ValidationError(
            {
                "file": [
                    _("Files of this type cannot be attached; allowed: %(types)s.")
                    % {"types": ", ".join(sorted(allowed))}
                ]
            }
        )
    return name, content_type


def keep_upload(row: Model, upload: UploadedFile, write: Callable[[], None]) -> None:
    """Store ``upload`` as ``row.file`` under ``row.name``, then run ``write`` (the row's
    save and its audit entry) in one transaction; if that fails, the file is removed again,
    so no file outlives a row that was not written."""
    row.file.save(row.name, upload, save=False)  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            write()
    except Exception:
        row.file.delete(save=False)  # type: ignore[attr-defined]
        raise
