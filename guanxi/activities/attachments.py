"""Files kept with activities, through Django's storage, within a size and type limit.

``GUANXI_ATTACHMENT_MAX_BYTES`` is the largest file; ``GUANXI_ATTACHMENT_TYPES`` maps each
allowed file name extension to the content types it may be sent as. A file over the limit
or of another type is refused naming ``file``, and nothing is stored.
"""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities.models import Attachment
from guanxi.activities.selectors import activity_get_for_user
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.policy.activities import activity_allows


def _check(upload: UploadedFile) -> tuple[str, str]:
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


def _user_id(viewer: policy.Viewer) -> int:
    if viewer.user_id is None:
        raise PermissionDenied(_("Files are attached by a person."))
    return viewer.user_id


def attachment_add(
    *, viewer: policy.Viewer, activity_id: int, upload: UploadedFile, context: RequestContext
) -> Attachment:
    """Keep ``upload`` with the activity (editors of it only); audited."""
    activity = activity_get_for_user(viewer=viewer, activity_id=activity_id)
    if not activity_allows(viewer, "activity.edit", activity):
        raise PermissionDenied(_("Your role does not allow this."))
    name, content_type = _check(upload)
    attachment = Attachment(
        activity=activity,
        name=name,
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by_id=_user_id(viewer),
    )
    attachment.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
            record(
                viewer.user,
                AuditAction.CREATE,
                "attachment",
                [attachment.pk],
                ["file", "name", "content_type", "size"],
                context,
                changes={"activity_id": [None, activity.pk], "name": [None, name]},
                name=name,
                customers=[activity.customer_id] if activity.customer_id else [],
            )
    except Exception:
        attachment.file.delete(save=False)  # the row was not written: neither is the file
        raise
    return attachment


def attachments_of(activity_id: int) -> list[Attachment]:
    """The attachments of an activity the caller may see (checked by the caller)."""
    return list(Attachment.objects.filter(activity_id=activity_id).order_by("uploaded_at", "id"))
