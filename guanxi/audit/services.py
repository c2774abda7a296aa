"""Writing to the audit log. Every read of personal data and every change comes here."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from guanxi.audit.models import AuditAction, AuditEntry


@dataclass(frozen=True)
class RequestContext:
    """Where a request came from, for the audit log."""

    ip_address: str | None = None
    channel: str = "api"
    purpose: str = ""


def record(
    actor,
    action: AuditAction,
    object_type: str,
    object_ids: Iterable[object],
    fields: list[str],
    context: RequestContext,
    purpose: str = "",
) -> None:
    """Append one entry per record; a list read of 50 customers writes 50 entries at once."""
    now = timezone.now()
    name = actor.get_username() if actor is not None else "system"
    entries = [
        AuditEntry(
            at=now,
            actor=actor,
            actor_name=name,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            fields=fields,
            purpose=purpose or context.purpose,
            ip_address=context.ip_address,
            channel=context.channel,
        )
        for object_id in object_ids
    ]
    if entries:
        AuditEntry.objects.bulk_create(entries)
