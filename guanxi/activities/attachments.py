"""Files kept with activities, through Django's storage, within the size and type limits
of ``guanxi.core.uploads``."""

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities.models import Attachment
from guanxi.activities.selectors import activity_get_for_user
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.core.uploads import checked_upload, keep_upload
from guanxi.policy.activities import activity_allows


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
    name, content_type = checked_upload(upload)
    attachment = Attachment(
        activity=activity,
        name=name,
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by_id=_user_id(viewer),
    )

    def write() -> None:
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

    keep_upload(attachment, upload, write)
    return attachment


def attachments_of(activity_id: int) -> list[Attachment]:
    """The attachments of an activity the caller may see (checked by the caller)."""
    return list(Attachment.objects.filter(activity_id=activity_id).order_by("uploaded_at", "id"))
