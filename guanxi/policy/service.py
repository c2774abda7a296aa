"""The service domain's actions: working calendars, official holiday schedules and SLA
policies.

They are reference data of the service desk, not owned records: administrators set them
up; service agents, who work cases against them, and the managers who answer for the
deadlines (branch managers, team leads) read them.
"""

from guanxi.org.roles import Role
from guanxi.policy.rules import EVERYWHERE, Action

A = Role
READERS = (A.ADMINISTRATOR, A.SERVICE_AGENT, A.BRANCH_MANAGER, A.TEAM_LEAD)

ACTIONS = (
    Action("working_calendar.view", {r: EVERYWHERE for r in READERS}),
    # Calendars, their exceptions and the official schedule of a year.
    Action("working_calendar.manage", {A.ADMINISTRATOR: EVERYWHERE}),
    Action("sla_policy.view", {r: EVERYWHERE for r in READERS}),
    Action("sla_policy.manage", {A.ADMINISTRATOR: EVERYWHERE}),
)
