"""What the service domain does after its survey events and its cases' moves.

* A case resolved invites its customer to the active after-case survey (once per case
  and survey); the link is mailed to a customer who has an address, in Chinese.
* A detractor's answer (NPS ≤ 6 or CSAT ≤ 2) opens a follow-up service request for the
  customer, about the same product, given to a queue like any case; the response keeps a
  link to it. Both are idempotent: an event handled twice changes nothing more.
"""

import logging

from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.services import TASK_CONTEXT
from guanxi.core.events import Delivered, subscribe
from guanxi.service import cases
from guanxi.service.case_types import CaseChannel, CasePriority, CaseState, CaseType
from guanxi.service.survey_models import SurveyResponse
from guanxi.service.surveys import survey_invite_after_case, survey_mail_on_commit

log = logging.getLogger(__name__)


@subscribe("case.state_changed", handler="service.survey_after_case")
def survey_after_case(delivered: Delivered) -> None:
    """Invite the customer of a resolved case to the active after-case survey."""
    if getattr(delivered.event, "to_state", None) != CaseState.RESOLVED:
        return
    invited = survey_invite_after_case(case_id=delivered.record_id, context=TASK_CONTEXT)
    if invited is None:
        return  # no after-case survey, or invited already (the event handled before)
    invitation, raw = invited
    address = invitation.customer.email
    template = invitation.template
    if address:
        survey_mail_on_commit(address, raw, template, invitation.language)


@subscribe("survey.answered", handler="service.survey_detractor_follow_up")
def survey_detractor_follow_up(delivered: Delivered) -> None:
    """Open a follow-up case for a detractor's answer (once per answer)."""
    if not getattr(delivered.event, "detractor", False):
        return
    response = (
        SurveyResponse.objects.select_related("case", "template")
        .filter(pk=delivered.record_id, follow_up_case__isnull=True)
        .first()
    )
    if response is None:
        return
    scores = (
        f"CSAT {response.csat if response.csat is not None else '-'}, "
        f"NPS {response.nps if response.nps is not None else '-'}"
    )
    subject = _("Follow up an unhappy survey answer (%(scores)s)") % {"scores": scores}
    about = response.case.number if response.case else response.template.name
    description = _("The customer answered “%(about)s” with %(scores)s. Comment: %(comment)s") % {
        "about": about, "scores": scores, "comment": response.comment or "-",
    }  # fmt: skip
    case = cases.case_create(
        viewer=policy.Viewer.system(), customer_id=response.customer_id,
        case_type=CaseType.SERVICE_REQUEST, channel=CaseChannel.ONLINE,
        priority=CasePriority.HIGH, subject=subject[:200], description=description,
        product_id=response.product_id, context=TASK_CONTEXT,
    )  # fmt: skip
    SurveyResponse.objects.filter(pk=response.pk).update(follow_up_case=case)
