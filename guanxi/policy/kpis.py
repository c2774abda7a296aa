"""The process KPIs' actions: whose figures a viewer may read.

Process KPIs are figures about owned records (customers, activities, leads, opportunities),
so they follow record scope: an account manager reads their own figures, a team lead their
team's and each member's, a branch manager their branch's and its teams', administrators
and analysts everyone's. Each source keeps its owner and branch under other names, so the
one rule is asked with the columns of the table at hand (``process_kpi_condition``).
"""

from dataclasses import replace

from django.db.models import Q

from guanxi.org.roles import Role
from guanxi.policy.rules import IN_SCOPE, Action, Fields
from guanxi.policy.viewer import Viewer

A = Role
READERS = (A.ADMINISTRATOR, A.ANALYST, A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER)

PROCESS_KPI_VIEW = Action("process_kpi.view", {r: IN_SCOPE for r in READERS})

ACTIONS = (PROCESS_KPI_VIEW,)


def process_kpi_condition(viewer: Viewer, *, owner: str, branch: str) -> Q | None:
    """The rows of a source the viewer's figures are made of, as one condition (``None``:
    every row); ``owner`` and ``branch`` name the source's owner and branch columns."""
    fields = Fields(owner=owner, branch=branch, creator=owner)
    return replace(PROCESS_KPI_VIEW, fields=fields).condition(viewer)
