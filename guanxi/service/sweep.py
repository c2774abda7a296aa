"""The SLA sweep: warn before a case's resolution deadline, escalate on a breach — to the
team lead, then to the branch manager.

Due cases are found by queries on the stored deadlines, each served by a partial index of
open cases (``case_open_unwarned``, ``case_open_first_response``, ``case_open_resolution``),
so a sweep costs what is due, not what is stored. A case waiting on the customer is
skipped (its clock stands still). Each warning and escalation is audited and published
(``case.warned``, ``case.escalated``); neither changes the case's version, since nothing an
agent edits changes. Run by ``guanxi sweep-cases`` or the ``sweep_cases`` task.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import TASK_CONTEXT
from guanxi.org.escalation import branch_managers_of, team_leads_of
from guanxi.service import events
from guanxi.service.case_models import RUNNING, Case
from guanxi.service.case_trail import audit, publish_case
from guanxi.service.config import service_setting

BATCH = 500


@dataclass(frozen=True)
class SweepReport:
    warned: int
    escalated: int


def _managers(cases: list[Case], level: int) -> dict[int, int | None]:
    """Per case, whom an escalation of ``level`` goes to: at level 1 the team lead of its
    agent (else of its customer's owner), else a branch manager; at level 2 a branch
    manager of its branch (three queries)."""
    people = {c.owner_id for c in cases} | {c.customer.owner_id for c in cases}
    team_lead = team_leads_of(people) if level == 1 else {}
    branch_manager = branch_managers_of(c.branch_id for c in cases)

    def lead_of(case: Case) -> int | None:
        return team_lead.get(case.owner_id or 0) or team_lead.get(case.customer.owner_id or 0)

    return {c.pk: lead_of(c) or branch_manager.get(c.branch_id or 0) for c in cases}


def _warn(now: datetime, system: policy.Viewer) -> int:
    done = 0
    while True:
        due = list(
            Case.objects.filter(RUNNING, warned_at__isnull=True, resolution_warn_at__lte=now)
            .order_by("resolution_warn_at")[:BATCH]
        )  # fmt: skip
        if not due:
            return done
        with transaction.atomic():
            Case.objects.filter(pk__in=[c.pk for c in due]).update(warned_at=now)
            for case in due:
                assert case.resolution_due is not None
                audit(system, AuditAction.UPDATE, case, {"warned_at": [None, now]}, TASK_CONTEXT)
                event = events.CaseWarned(resolution_due=case.resolution_due.isoformat())
                publish_case(event, system, case)
        done += len(due)


def _breached(now: datetime, level: int) -> list[Case]:
    """Up to a batch of running cases due an escalation to ``level``: at level 1 past
    either deadline, at level 2 past resolution by the configured hours after level 1."""
    cases = Case.objects.filter(RUNNING, escalation_level=level - 1).select_related("customer")
    if level == 2:
        late = now - timedelta(hours=service_setting("second_escalation_hours"))
        return list(cases.filter(resolution_due__lt=late).order_by("resolution_due")[:BATCH])
    resolution = list(cases.filter(resolution_due__lt=now).order_by("resolution_due")[:BATCH])
    first = cases.filter(first_responded_at__isnull=True, first_response_due__lt=now)
    taken = {c.pk for c in resolution}
    more = [c for c in first.order_by("first_response_due")[:BATCH] if c.pk not in taken]
    return (resolution + more)[:BATCH]


def _escalate(now: datetime, system: policy.Viewer) -> int:
    done = 0
    for level in (1, 2):
        while True:
            due = _breached(now, level)
            if not due:
                break
            targets = _managers(due, level)
            with transaction.atomic():
                for case in due:
                    to = targets[case.pk]
                    Case.objects.filter(pk=case.pk).update(
                        escalation_level=level, escalated_to_id=to
                    )
                    changes = {
                        "escalation_level": [level - 1, level],
                        "escalated_to_id": [None, to],
                    }
                    audit(system, AuditAction.UPDATE, case, changes, TASK_CONTEXT)
                    publish_case(events.CaseEscalated(level=level, to_user_id=to), system, case)
            done += len(due)
    return done


def cases_sweep(*, now: datetime | None = None) -> SweepReport:
    """Warn the cases whose deadline is near and escalate the breached ones."""
    now = now or timezone.now()
    system = policy.Viewer.system()
    return SweepReport(warned=_warn(now, system), escalated=_escalate(now, system))
