"""The service domain's actions on follow-up visits (回访) and care reminders.

Both are about a customer and reach as far as the customer does for the people who look
after customers (administrators, branch managers, team leads, account managers), each
within their record scope: an account manager sees and greets their own customers only.
Auditors read follow-ups everywhere (they read every activity); care reminders carry
birthdays and send e-mail, so only the people who greet see them. Coverage reports are
for those who answer for a team's visits; the rules, the greeting templates and the
administrator's greeting days are administrators' to set, and the people who greet read
them.
"""

from guanxi.org.roles import Role
from guanxi.policy.rules import EVERYWHERE, IN_SCOPE, Action, Fields

A = Role
GREETERS = (A.ADMINISTRATOR, A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER)
REPORTERS = (A.ADMINISTRATOR, A.BRANCH_MANAGER, A.TEAM_LEAD)

# Follow-ups and care reminders are scoped by their customer's owner and branch.
THROUGH_CUSTOMER = Fields(owner="customer__owner_id", branch="customer__branch_id")

FOLLOW_UP_VIEW = Action(
    "follow_up.view", {**{r: IN_SCOPE for r in GREETERS}, A.AUDITOR: EVERYWHERE}, THROUGH_CUSTOMER
)
ACTIONS = (
    FOLLOW_UP_VIEW,
    # Recording a visit's outcome (an issue found opens a case for the customer).
    Action("follow_up.record", {r: IN_SCOPE for r in GREETERS}, THROUGH_CUSTOMER),
    # Coverage and timeliness, over the follow-ups of the viewer's scope.
    Action("follow_up.report", {r: IN_SCOPE for r in REPORTERS}, THROUGH_CUSTOMER),
    Action("follow_up_rule.view", {r: EVERYWHERE for r in GREETERS}),
    Action("follow_up_rule.manage", {A.ADMINISTRATOR: EVERYWHERE}),
    # Care reminders: the customers themselves are the records (owner and branch).
    Action("care_reminder.view", {r: IN_SCOPE for r in GREETERS}),
    # Sending a greeting or marking an occasion done by phone.
    Action("care_reminder.act", {r: IN_SCOPE for r in GREETERS}),
    Action("greeting.view", {r: EVERYWHERE for r in GREETERS}),
    Action("greeting.manage", {A.ADMINISTRATOR: EVERYWHERE}),
)


class Through:
    """What the follow-up and care actions need of a record about ``customer``: the
    customer's owner and branch, under the names ``THROUGH_CUSTOMER`` gives them."""

    def __init__(self, customer) -> None:
        setattr(self, THROUGH_CUSTOMER.owner, customer.owner_id)
        setattr(self, THROUGH_CUSTOMER.branch, customer.branch_id)
