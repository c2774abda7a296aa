"""Periodic surveys on their schedule: the daily run invites the customers who are due.

A periodic survey with ``every_days`` set invites each customer in a relationship (new,
repeat, loyal, won back) who has an e-mail address and was not invited to it in the last
``every_days`` days, lowest ID first and at most ``daily_limit`` a day, so a large base is
surveyed a sample a day and every customer in turn. Each invitation is written with its
audit entry and event, and its link mailed once the transaction commits. Running it twice
a day invites nobody twice.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from guanxi.audit.services import TASK_CONTEXT
from guanxi.customers.models import Customer, LifecycleStatus
from guanxi.service.survey_models import (
    SurveyInvitation,
    SurveyKind,
    SurveyLanguage,
    SurveyTemplate,
)
from guanxi.service.surveys import invitation_write, survey_mail_on_commit

# Who is asked how we serve them: customers in a relationship now (a prospect was never
# served; an inactive or lost customer is a case for winning back, not for a survey).
SURVEYED = (
    LifecycleStatus.NEW,
    LifecycleStatus.REPEAT,
    LifecycleStatus.LOYAL,
    LifecycleStatus.WON_BACK,
)


@dataclass
class InvitationReport:
    """How many customers each scheduled survey invited (by the survey's name)."""

    invited: dict[str, int] = field(default_factory=dict)


def _due(template: SurveyTemplate) -> list[tuple[int, str]]:
    """The customers due for the survey today, with their addresses."""
    assert template.every_days is not None
    since = timezone.now() - timedelta(days=template.every_days)
    recent = SurveyInvitation.objects.filter(
        template=template, customer=OuterRef("pk"), sent_at__gte=since
    )
    due = (
        Customer.objects.filter(status__in=SURVEYED)
        .exclude(email="")
        .exclude(Exists(recent))
        .order_by("pk")
        .values_list("pk", "email")
    )
    return list(due[: template.daily_limit])


def surveys_invite_due() -> InvitationReport:
    """Invite today's customers to every active periodic survey with a schedule."""
    report = InvitationReport()
    scheduled = SurveyTemplate.objects.filter(
        kind=SurveyKind.PERIODIC, active=True, every_days__isnull=False
    ).order_by("pk")
    for template in scheduled:
        with transaction.atomic():
            for customer_id, address in _due(template):
                _invitation, raw = invitation_write(
                    template=template, customer_id=customer_id, case_id=None,
                    language=SurveyLanguage.ZH, actor=None, context=TASK_CONTEXT,
                )  # fmt: skip
                survey_mail_on_commit(address, raw, template)
                report.invited[template.name] = report.invited.get(template.name, 0) + 1
    return report
