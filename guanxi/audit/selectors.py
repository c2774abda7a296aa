"""Searching the audit log (auditors and administrators only)."""

import csv
import io
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.audit.services import RequestContext, record

EXPORT_LIMIT = 100_000


def search_audit(
    viewer: policy.Viewer,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet:
    """Audit entries matching the criteria, newest first."""
    if not policy.can_read_audit(viewer):
        raise PermissionDenied(_("Only auditors and administrators can read the audit log."))
    entries = AuditEntry.objects.all()
    if actor:
        entries = entries.filter(actor_name=actor)
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if since:
        entries = entries.filter(at__gte=since)
    if until:
        entries = entries.filter(at__lt=until)
    return entries.order_by("-at", "-id")


def export_csv(viewer: policy.Viewer, entries: QuerySet, context: RequestContext) -> str:
    """The entries as CSV; the export itself is audited."""
    out = io.StringIO()
    writer = csv.writer(out)
    columns = ["at", "actor", "action", "record type", "record", "fields", "purpose", "ip", "via"]
    writer.writerow(columns)
    for e in entries[:EXPORT_LIMIT]:
        writer.writerow(
            [
                e.at.isoformat(),
                e.actor_name,
                e.action,
                e.object_type,
                e.object_id,
                ";".join(e.fields),
                e.purpose,
                e.ip_address or "",
                e.channel,
            ]
        )
    record(viewer.user, AuditAction.EXPORT, "audit", ["search"], [], context)
    return out.getvalue()
