"""Escalation: leads nobody answered in time (``GUANXI_LEADS["escalate_after_hours"]``) go
to the owner's team lead — the branch manager for a lead without an owner or team lead.

The sweep finds them through the partial index ``lead_awaiting_response`` (created_at of
leads with no first response and no escalation yet), so it costs what is due, not what is
stored. Each escalation is audited and published; it shows on the team lead's my day. It
does not change the lead's version: nothing an editor sees is changed.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import TASK_CONTEXT
from guanxi.leads import events, workflow
from guanxi.leads.config import leads_setting
from guanxi.leads.models import Lead
from guanxi.leads.trail import audit, publish_lead
from guanxi.org.escalation import branch_managers_of, team_leads_of

BATCH = 500


def _escalation_targets(leads: list[Lead]) -> dict[int, int | None]:
    """Per lead, whom it goes to: the team lead of its owner, else a branch manager of its
    branch (three queries)."""
    team_lead = team_leads_of(x.owner_id for x in leads)
    branch_manager = branch_managers_of(x.branch_id for x in leads)
    return {x.pk: team_lead.get(x.owner_id or 0) or branch_manager.get(x.branch_id) for x in leads}


def leads_escalate(*, now: datetime | None = None) -> int:
    """Escalate every open lead with no first response older than the configured hours;
    returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=leads_setting("escalate_after_hours"))
    system = policy.Viewer.system()
    done = 0
    while True:
        due = list(
            Lead.objects.filter(
                first_response_at__isnull=True, escalated_at__isnull=True, created_at__lt=cutoff
            )
            .filter(status__in=workflow.OPEN)
            .order_by("created_at")[:BATCH]
        )
        if not due:
            return done
        targets = _escalation_targets(due)
        with transaction.atomic():
            for lead in due:
                lead.escalated_at, lead.escalated_to_id = now, targets[lead.pk]
                Lead.objects.filter(pk=lead.pk).update(
                    escalated_at=now, escalated_to_id=lead.escalated_to_id
                )
                changes = {"escalated_to_id": [None, lead.escalated_to_id]}
                audit(system, AuditAction.UPDATE, lead, changes, TASK_CONTEXT)
                publish_lead(events.LeadEscalated(team_lead_id=lead.escalated_to_id), system, lead)
        done += len(due)
