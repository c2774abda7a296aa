"""The leads domain's actions, and what a viewer sees of a lead's personal fields.

Leads are owned records: an account manager sees and works their own, a team lead their
team's, a branch manager their branch's (unassigned ones included), an administrator all.
Marketers capture leads (campaigns, events) and see the ones they created, masked as they
see customers; they neither work nor convert them. Auditors read every lead. Analysts work
on figures and see none. Assigning is for whoever manages owners: team leads within their
team, branch managers within their branch, administrators.

A lead's phone, e-mail and ID number are shown as the roles reaching it would show a
customer's (``ROLE_FIELD_ACCESS``); searching leads by such a value is a read of it.
"""

from guanxi.org.roles import Role
from guanxi.policy.fields import PERSONAL_FIELDS, ROLE_FIELD_ACCESS, Access
from guanxi.policy.rules import CREATOR, EVERYWHERE, IN_SCOPE, SAME_BRANCH, Action
from guanxi.policy.viewer import Viewer

A = Role
SELLERS = (A.ADMINISTRATOR, A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER)
MANAGERS = (A.ADMINISTRATOR, A.BRANCH_MANAGER, A.TEAM_LEAD)

LEAD_VIEW = Action(
    "lead.view",
    {**{r: IN_SCOPE for r in SELLERS}, A.MARKETER: CREATOR, A.AUDITOR: EVERYWHERE},
)

ACTIONS = (
    LEAD_VIEW,
    # Creating checks the lead to be: sellers capture for their own branch, marketers anywhere.
    Action(
        "lead.create",
        {
            A.ADMINISTRATOR: EVERYWHERE,
            A.MARKETER: EVERYWHERE,
            **{r: SAME_BRANCH for r in SELLERS[1:]},
        },
    ),
    Action("lead.edit", {r: IN_SCOPE for r in SELLERS}),
    Action("lead.convert", {r: IN_SCOPE for r in SELLERS}),
    # Checked on the lead before and after: the new owner must be in the assigner's scope.
    Action("lead.assign", {r: IN_SCOPE for r in MANAGERS}),
    Action("lead_score.manage", {A.ADMINISTRATOR: EVERYWHERE}),
    Action("lead_assignment.manage", {A.ADMINISTRATOR: EVERYWHERE}),
    # A colleague's absence and capacity: checked on the colleague (owner = them).
    Action("lead_assignee.manage", {r: IN_SCOPE for r in MANAGERS}),
)


def lead_field_access(viewer: Viewer, lead) -> dict[str, Access]:
    """The viewer's access to each personal field of ``lead`` (the best of the roles
    through which they see it)."""
    roles = LEAD_VIEW.covering_roles(viewer, lead)
    return {
        name: max((ROLE_FIELD_ACCESS[r][name] for r in roles), default=Access.HIDDEN)
        for name in PERSONAL_FIELDS
    }
