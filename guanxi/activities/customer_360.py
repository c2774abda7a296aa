"""What activities add to the customer 360 page: timeline events and a "log a contact" panel.

The panel is asked only about a customer the viewer may see; it offers the form to a viewer
whose roles may log activities (the service checks the customer's scope when it is sent:
for an account manager, team lead or branch manager that is the scope of the 360 itself).
"""

from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities import selectors
from guanxi.activities.forms import QuickLogForm
from guanxi.activities.models import ActivityKind, ActivityStatus
from guanxi.customers.panels import Panel, register_360_panel
from guanxi.customers.timeline import TimelineEvent, register_timeline_source
from guanxi.policy.activities import ActivityRef

PANEL_TEMPLATE = "activities/partials/log_panel.html"
# The kinds offered by the one-step form on the 360 page.
QUICK_KINDS = (ActivityKind.CALL, ActivityKind.VISIT, ActivityKind.MEETING, ActivityKind.NOTE)


def activity_events(viewer, customer, limit: int) -> list[TimelineEvent]:
    """The customer's activities (cancelled ones left out), for viewers who may read them."""
    if not policy.allows(viewer, "activity.view", ActivityRef.of_customer(customer)):
        return []
    kinds = dict(ActivityKind.choices)
    events = []
    for a in selectors.customer_activities(customer.pk, limit):
        title = f"{kinds.get(a['kind'], a['kind'])}: {a['subject']}"
        if a["status"] == ActivityStatus.OPEN:
            title = _("Planned %(activity)s") % {"activity": title}
        events.append(
            TimelineEvent(at=a["starts_at"], kind="activity", title=title, detail=a["outcome"])
        )
    return events


def log_panel(viewer, customer_id: int) -> Panel | None:
    """The one-step form to log a call or visit, for those who may log activities."""
    if not policy.allows(viewer, "activity.log"):
        return None
    kinds = [(k.value, k.label) for k in QUICK_KINDS]
    return Panel(PANEL_TEMPLATE, {"customer_id": customer_id, "form": QuickLogForm(kinds=kinds)})


register_timeline_source("activities.activities", activity_events)
register_360_panel("activities.log", log_panel)
