"""The analytics domain's actions: running the analysis and reading its dashboard.

The dashboard shows figures of the customers in the viewer's record scope, so managers
with a portfolio see theirs; company-wide figures only for those who see every customer.
"""

from guanxi.org.roles import Role
from guanxi.policy.rules import EVERYWHERE, Action

A = Role
RUNNERS = (A.ADMINISTRATOR, A.ANALYST)
VIEWERS = (*RUNNERS, A.MARKETER, A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER)

ACTIONS = (
    Action("analysis.run", {r: EVERYWHERE for r in RUNNERS}),
    Action("analytics.view", {r: EVERYWHERE for r in VIEWERS}),
)
