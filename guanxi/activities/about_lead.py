"""Activities about a lead: the lead an activity is to be about, the lead's first response
that a contact logged on it is, and the activities a conversion gives to the customer.

A lead not converted yet is the activity's only subject (no customer, no opportunity); a
converted lead's activities are its customer's, so logging on one is refused and points
to the customer.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities.models import Activity, ActivityKind, ActivityStatus
from guanxi.audit.services import RequestContext
from guanxi.leads.models import Lead, LeadStatus
from guanxi.leads.selectors import leads_in_scope
from guanxi.leads.services import lead_first_response
from guanxi.policy.activities import LeadActivityRef

# The kinds of activity that answer a lead (a note or a task does not).
CONTACTS = frozenset(
    {ActivityKind.VISIT, ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL}
)


def lead_for(viewer: policy.Viewer, lead_id: object) -> Lead:
    """The lead an activity is to be logged on: one the viewer may log on and not converted
    yet; a ValidationError naming ``lead_id`` otherwise (out of scope reads as missing)."""
    if not isinstance(lead_id, int) or isinstance(lead_id, bool):
        raise ValidationError({"lead_id": [_("Name the lead by its ID.")]})
    found = leads_in_scope(viewer, "lead.edit").filter(pk=lead_id).first()
    if found is None:
        raise ValidationError({"lead_id": [_("There is no such lead in your scope.")]})
    policy.require(viewer, "lead_activity.log", LeadActivityRef(found))
    if found.status == LeadStatus.CONVERTED:
        message = _("This lead is a customer now: log the activity on the customer.")
        raise ValidationError({"lead_id": [message]})
    return found


def answer_lead(*, viewer: policy.Viewer, activity: Activity, context: RequestContext) -> None:
    """A done contact about a lead alone is the lead's first response if it has none yet
    (at the contact's time, never before the lead came nor after now), in the caller's
    transaction."""
    lead = activity.lead
    if (
        lead is None
        or activity.customer_id is not None
        or activity.kind not in CONTACTS
        or activity.status != ActivityStatus.DONE
        or lead.first_response_at is not None
    ):
        return
    at: datetime = min(max(activity.starts_at, lead.created_at), timezone.now())
    lead_first_response(viewer=viewer, lead=lead, at=at, context=context)


def activities_to_customer(*, lead: Lead, customer_id: int) -> int:
    """Give the activities about ``lead`` alone to its customer (a conversion, in its
    transaction): one set statement, each activity a new version; how many moved."""
    about_lead = Activity.objects.filter(lead=lead, customer__isnull=True)
    return about_lead.update(
        customer_id=customer_id, version=F("version") + 1, updated_at=timezone.now()
    )
