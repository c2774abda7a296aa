"""The calendar's actions: whose calendars and busy times a viewer may read, and the feed.

Everyone has a calendar of their own. A colleague's calendar follows record scope over
staff (``STAFF``: the person is the owner): a team lead reads their team's, a branch
manager their branch's, an administrator everyone's; an account manager only their own.
Busy times (no subjects, no customers) are shown for the colleagues one may choose as
participants: the staff list's reach. Each entry of a calendar shows its subject and
customer only when the viewer may read that activity (``activity.view``); others read as
"busy".
"""

from guanxi.org.roles import Role
from guanxi.policy.org import STAFF
from guanxi.policy.rules import EVERYWHERE, IN_SCOPE, SAME_BRANCH, Action

A = Role
LEADERS = (A.ADMINISTRATOR, A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER)

ACTIONS = (
    Action("calendar.view", {r: EVERYWHERE for r in Role}),
    Action("calendar.view_user", {r: IN_SCOPE for r in LEADERS}, STAFF),
    Action(
        "calendar.busy",
        {A.ADMINISTRATOR: EVERYWHERE, **{r: SAME_BRANCH for r in Role if r != A.ADMINISTRATOR}},
        STAFF,
    ),
    Action("calendar.feed", {r: EVERYWHERE for r in Role}),
)
