"""The sales domain's actions: pipelines and opportunities.

Opportunities are owned records: an account manager sees and works their own, a team lead
their team's, a branch manager their branch's (the branch is the customer's), an
administrator all of them; analysts and auditors read them all. Pipelines are reference
data every one of those roles reads.
"""

from guanxi.org.roles import Role
from guanxi.policy.rules import EVERYWHERE, IN_SCOPE, Action

A = Role
SELLERS = (A.ADMINISTRATOR, A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER)
READERS = (*SELLERS, A.ANALYST, A.AUDITOR)

ACTIONS = (
    Action("pipeline.view", {r: EVERYWHERE for r in READERS}),
    Action("opportunity.view", {r: IN_SCOPE for r in READERS}),
    # Creating checks the record to be: its branch (the customer's) and owner in scope.
    Action("opportunity.create", {r: IN_SCOPE for r in SELLERS}),
    Action("opportunity.edit", {r: IN_SCOPE for r in SELLERS}),
)
