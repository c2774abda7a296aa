"""The analytics domain's actions: running the analysis, its dashboard and the KPI page.

The dashboard and the KPI page show figures of the customers in the viewer's record scope,
so managers with a portfolio see theirs; company-wide figures only for those who see every
customer. ``kpi.view`` is scoped like a customer record: the run's aggregates per branch
and account manager (``guanxi.insights.models.KpiCell``, ``RunCell``) carry both columns.
"""

from guanxi.org.roles import Role
from guanxi.policy.rules import EVERYWHERE, IN_SCOPE, Action

A = Role
RUNNERS = (A.ADMINISTRATOR, A.ANALYST)
VIEWERS = (*RUNNERS, A.MARKETER, A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER)

ACTIONS = (
    Action("analysis.run", {r: EVERYWHERE for r in RUNNERS}),
    Action("analytics.view", {r: EVERYWHERE for r in VIEWERS}),
    Action("kpi.view", {r: IN_SCOPE for r in VIEWERS}),
)
