"""The activities domain's actions: activities and the contact rules.

An activity is in a viewer's scope when its customer is: an account manager reaches the
activities of their own customers, a team lead the team's, a branch manager the branch's
(``ACTIVITY_FIELDS`` reads owner and branch through the customer). Service agents and
auditors read every activity, as they read every customer; marketers and analysts work on
figures, not on conversation notes, and see none.
"""

from guanxi.org.roles import Role
from guanxi.policy.rules import EVERYWHERE, IN_SCOPE, Action, Fields

A = Role
EDITORS = (A.ADMINISTRATOR, A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER)
READERS = (*EDITORS, A.SERVICE_AGENT, A.AUDITOR)

# Activities are scoped by their customer's owner and branch. Records in memory are
# ``ActivityRef`` or anything with these attributes; querysets are activities.
ACTIVITY_FIELDS = Fields(
    owner="customer__owner_id", branch="customer__branch_id", creator="owner_id"
)

ACTIONS = (
    Action("activity.view", {r: IN_SCOPE for r in READERS}, ACTIVITY_FIELDS),
    # Logging checks the customer the activity will be about.
    Action("activity.log", {r: IN_SCOPE for r in EDITORS}, ACTIVITY_FIELDS),
    Action("activity.edit", {r: IN_SCOPE for r in EDITORS}, ACTIVITY_FIELDS),
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
