"""What every change of a case leaves behind, in its transaction: an audit entry and a
domain event."""

from decimal import Decimal

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.core.events import DomainEvent, publish
from guanxi.service.case_models import Case


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def audit(
    viewer: policy.Viewer, action: AuditAction, case: Case, changes: dict, context: RequestContext
) -> None:
    """One audit entry about ``case`` (times written as ISO text)."""
    plain = {k: [_plain(v) for v in pair] for k, pair in changes.items()}
    record(
        viewer.user, action, "case", [case.pk], sorted(changes), context, changes=plain,
        name=case.number, customers=[case.customer_id],
    )  # fmt: skip


def publish_case(event: DomainEvent, viewer: policy.Viewer, case: Case) -> None:
    """Publish ``event`` about ``case`` as the viewer."""
    publish(event, actor=viewer.user, record=case)
