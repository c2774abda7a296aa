"""The plans domain's actions: week and month plans and their reviews.

Plans are owned records (owner and branch): an account manager sees and edits their own,
a team lead their team's, a branch manager their branch's, an administrator all; auditors
read them all. Reviewing a week (did each planned customer's status move?) is for the same
people in the same scope: the account manager reviews their own week, the team lead the
team's. Marketers, analysts and service agents see none (their figures come from the KPIs).
"""

from guanxi.org.roles import Role
from guanxi.policy.org import STAFF
from guanxi.policy.rules import IN_SCOPE, Action

A = Role
EDITORS = (A.ADMINISTRATOR, A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER)
READERS = (*EDITORS, A.AUDITOR)

ACTIONS = (
    Action("plan.view", {r: IN_SCOPE for r in READERS}),
    # Creating checks the plan to be: its owner (and their branch) in the creator's scope.
    Action("plan.create", {r: IN_SCOPE for r in EDITORS}),
    Action("plan.edit", {r: IN_SCOPE for r in EDITORS}),
    Action("plan.review", {r: IN_SCOPE for r in EDITORS}),
    # Whose plan one may make: checked on the colleague (owner = them), so a team lead plans
    # for the team, a branch manager for the branch, an account manager for themself.
    Action("plan.owner", {r: IN_SCOPE for r in EDITORS}, STAFF),
)
