"""What every change of a lead leaves behind, in its transaction: an audit entry and a
domain event."""

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.core.events import DomainEvent, publish
from guanxi.leads.models import Lead


def audit(
    viewer: policy.Viewer, action: AuditAction, lead: Lead, changes: dict, context: RequestContext
) -> None:
    """One audit entry about ``lead``."""
    record(
        viewer.user, action, "lead", [lead.pk], sorted(changes), context, changes=changes,
        name=lead.name,
    )  # fmt: skip


def publish_lead(event: DomainEvent, viewer: policy.Viewer, lead: Lead) -> None:
    """Publish ``event`` about ``lead`` as the viewer."""
    publish(event, actor=viewer.user, record=lead)
