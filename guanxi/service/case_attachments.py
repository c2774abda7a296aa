"""Files kept with cases, within the limits of ``guanxi.core.uploads``: whoever may work a
case attaches to it; whoever may read it downloads them. Each file added is audited."""

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.core.uploads import checked_upload, keep_upload
from guanxi.service.case_models import CaseAttachment
from guanxi.service.case_selectors import case_get_for_user, case_get_workable_for_user


def case_attachment_add(
    *, viewer: policy.Viewer, case_id: int, upload: UploadedFile, context: RequestContext
) -> CaseAttachment:
    """Keep ``upload`` with the case (those who may work it); audited with the case's
    customer."""
    case = case_get_workable_for_user(viewer=viewer, case_id=case_id, action="case.work")
    if viewer.user_id is None:
        raise PermissionDenied(_("Files are attached by a person."))
    name, content_type = checked_upload(upload)
    attachment = CaseAttachment(
        case=case, name=name, content_type=content_type, size=upload.size or 0,
        uploaded_by_id=viewer.user_id,
    )  # fmt: skip

    def write() -> None:
        attachment.save()
        record(
            viewer.user, AuditAction.CREATE, "case_attachment", [attachment.pk],
            ["file", "name", "content_type", "size"], context,
            changes={"case_id": [None, case.pk], "name": [None, name]}, name=name,
            customers=[case.customer_id],
        )  # fmt: skip

    keep_upload(attachment, upload, write)
    return attachment


def case_attachment_list_for_user(*, viewer: policy.Viewer, case_id: int) -> list[CaseAttachment]:
    """The files of a case the viewer may read, oldest first (a case out of scope reads as
    missing)."""
    case = case_get_for_user(viewer=viewer, case_id=case_id)
    return list(case.attachments.order_by("uploaded_at", "id"))


def case_attachment_get_for_user(
    *, viewer: policy.Viewer, case_id: int, attachment_id: int
) -> CaseAttachment:
    """One file of a case the viewer may read (``CaseAttachment.DoesNotExist`` otherwise)."""
    case = case_get_for_user(viewer=viewer, case_id=case_id)
    return case.attachments.get(pk=attachment_id)
