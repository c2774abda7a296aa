"""The activities domain's actions: activities and the contact rules.

An activity with a customer is in a viewer's scope when its customer is: an account
manager reaches the activities of their own customers, a team lead the team's, a branch
manager the branch's (``ACTIVITY_FIELDS`` reads owner and branch through the customer).
Service agents and auditors read every such activity, as they read every customer;
marketers and analysts work on figures, not on conversation notes, and see none.

An activity about a lead alone (not converted yet) is in scope when its lead is: the
``lead_activity.*`` actions give each role that may do the activity action the reach of
its lead action (reading: ``lead.view``; logging and editing: ``lead.edit``), so a service
agent, who sees no leads, reads none of them. Once the lead is converted its activities
have the customer, and the customer's scope.
"""

from django.db.models import Q

from guanxi.org.roles import Role
from guanxi.policy import leads
from guanxi.policy.rules import EVERYWHERE, IN_SCOPE, Action, Fields
from guanxi.policy.viewer import Viewer

A = Role
EDITORS = (A.ADMINISTRATOR, A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER)
READERS = (*EDITORS, A.SERVICE_AGENT, A.AUDITOR)

# Activities are scoped by their customer's owner and branch. Records in memory are
# ``ActivityRef`` or anything with these attributes; querysets are activities.
ACTIVITY_FIELDS = Fields(
    owner="customer__owner_id", branch="customer__branch_id", creator="owner_id"
)

# Activities about a lead alone, through the lead's owner, branch and creator.
LEAD_ACTIVITY_FIELDS = Fields(
    owner="lead__owner_id", branch="lead__branch_id", creator="lead__created_by_id"
)

ACTIVITY_ACTIONS = (
    Action("activity.view", {r: IN_SCOPE for r in READERS}, ACTIVITY_FIELDS),
    # Logging checks the customer the activity will be about.
    Action("activity.log", {r: IN_SCOPE for r in EDITORS}, ACTIVITY_FIELDS),
    Action("activity.edit", {r: IN_SCOPE for r in EDITORS}, ACTIVITY_FIELDS),
)
# The lead action whose reach each activity action has on an activity about a lead alone.
LEAD_ACTION_OF = {
    "activity.view": "lead.view",
    "activity.log": "lead.edit",
    "activity.edit": "lead.edit",
}


def _on_lead(activity_action: Action) -> Action:
    """``activity_action`` on activities about a lead alone: its roles that have the lead
    action, each with the lead action's rule (read through the activity's lead)."""
    lead_action = next(a for a in leads.ACTIONS if a.name == LEAD_ACTION_OF[activity_action.name])
    rules = {r: lead_action.rules[r] for r in activity_action.rules if r in lead_action.rules}
    name = activity_action.name.replace("activity.", "lead_activity.")
    return Action(name, rules, LEAD_ACTIVITY_FIELDS)


LEAD_ACTIVITY_ACTIONS = tuple(_on_lead(a) for a in ACTIVITY_ACTIONS)
# activity.view → lead_activity.view, and so on.
ON_LEAD = {a.name: on.name for a, on in zip(ACTIVITY_ACTIONS, LEAD_ACTIVITY_ACTIONS, strict=True)}

ACTIONS = (
    *ACTIVITY_ACTIONS,
    *LEAD_ACTIVITY_ACTIONS,
    Action("contact_rule.view", {r: EVERYWHERE for r in READERS}),
    Action("contact_rule.manage", {A.ADMINISTRATOR: EVERYWHERE}),
    # My day: everyone's own agenda; its customer sections are of the viewer's scope.
    Action("my_day.view", {r: EVERYWHERE for r in Role}),
    # Whose landing page after login it is (the others keep theirs).
    Action("my_day.landing", {A.ACCOUNT_MANAGER: EVERYWHERE, A.TEAM_LEAD: EVERYWHERE}),
)


class ActivityRef:
    """What the policy needs to know of an activity (or of one to be logged): its customer's
    owner and branch, under the names ``ACTIVITY_FIELDS`` gives them."""

    def __init__(self, *, customer_owner_id: int | None, customer_branch_id: int | None) -> None:
        setattr(self, ACTIVITY_FIELDS.owner, customer_owner_id)
        setattr(self, ACTIVITY_FIELDS.branch, customer_branch_id)
        setattr(self, ACTIVITY_FIELDS.creator, None)

    @classmethod
    def of_customer(cls, customer) -> "ActivityRef":
        """The reference for an activity about ``customer`` (a model or ``CustomerRef``)."""
        return cls(customer_owner_id=customer.owner_id, customer_branch_id=customer.branch_id)


class LeadActivityRef:
    """What the ``lead_activity.*`` actions need to know of an activity about a lead alone
    (or of one to be logged): its lead's owner, branch and creator."""

    def __init__(self, lead) -> None:
        setattr(self, LEAD_ACTIVITY_FIELDS.owner, lead.owner_id)
        setattr(self, LEAD_ACTIVITY_FIELDS.branch, lead.branch_id)
        setattr(self, LEAD_ACTIVITY_FIELDS.creator, lead.created_by_id)


# The table ``policy.actions`` builds includes this module, so it is not asked here.
_BY_NAME = {a.name: a for a in (*ACTIVITY_ACTIONS, *LEAD_ACTIVITY_ACTIONS)}


def activity_allows(viewer: Viewer, action: str, activity) -> bool:
    """Whether the viewer may do ``action`` (``activity.view``, ``.log`` or ``.edit``) to
    ``activity``: by its customer's scope, or, about a lead alone, by its lead's (the
    customer or lead loaded with it)."""
    if activity.customer_id is not None:
        return _BY_NAME[action].allows(viewer, ActivityRef.of_customer(activity.customer))
    return _BY_NAME[ON_LEAD[action]].allows(viewer, LeadActivityRef(activity.lead))


def activity_condition(viewer: Viewer, action: str) -> Q | None:
    """The activities the viewer may do ``action`` to, customers' and leads' alone, as one
    condition (``None``: all). An OR across the customer and the lead joins: only for reads
    narrowed first by an index (one id, one lead, one owner's open items); a list over all
    activities unites the two parts instead (``guanxi.activities.selectors``)."""
    by_customer = _BY_NAME[action].condition(viewer)
    by_lead = _BY_NAME[ON_LEAD[action]].condition(viewer)
    if by_customer is None and by_lead is None:
        return None
    with_customer = Q(customer__isnull=False) & (by_customer or Q())
    return with_customer | (Q(customer__isnull=True) & (by_lead or Q()))
