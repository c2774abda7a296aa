"""The service domain's actions on cases, their categories and root causes.

Cases are owned records seen in several ways at once: an account manager sees the cases
of the customers they own; a service agent the cases given to them or waiting in a queue
they work — and an agent of the service desk's queue every open case and every internal
request (the desk is the hub through which every case passes); a team lead the cases of
their team's agents and customers; a branch manager their branch's; administrators and
auditors all of them (auditors read only). Categories and root causes are reference data:
staff read them, administrators write them and the corrective actions taken on a cause.
The desk's analyses (root causes, resolution times, common needs) count the cases a viewer
may read.
"""

from django.db.models import Exists, Q

from guanxi.org.roles import Role
from guanxi.policy.rules import EVERYWHERE, IN_SCOPE, Action, Rule, teammates_of
from guanxi.policy.viewer import Viewer

A = Role
INTERNAL_REQUEST = "internal_request"
OPEN_STATES = ("new", "acknowledged", "in_progress", "waiting")
DESK = "service_desk"


def _queues(user_id: int | None, kind: str | None = None):
    from guanxi.service.case_models import ServiceQueue  # the policy loads before apps

    if user_id is None:  # the system actor works no queue
        return ServiceQueue.objects.none()
    found = ServiceQueue.objects.filter(members__id=user_id)
    return found.filter(kind=kind) if kind else found


class CustomersOwned(Rule):
    """Cases of the customers the viewer owns."""

    name = "customer owned"

    def allows(self, viewer, role, record, fields) -> bool:
        return viewer.user_id is not None and record.customer.owner_id == viewer.user_id

    def condition(self, viewer, role, fields) -> Q | None:
        return Q(customer__owner_id=viewer.user_id)


class TeamCases(Rule):
    """Cases whose agent or whose customer's owner is in the viewer's team."""

    name = "team"

    def allows(self, viewer, role, record, fields) -> bool:
        team = viewer.teammate_ids
        return record.owner_id in team or record.customer.owner_id in team

    def condition(self, viewer, role, fields) -> Q | None:
        team = teammates_of(viewer.user_id)
        return Q(owner_id__in=team) | Q(customer__owner_id__in=team)


class Worked(Rule):
    """Cases given to the viewer or waiting in a queue they work; for an agent of the
    service desk, also every open case and every internal request."""

    name = "worked"

    def allows(self, viewer, role, record, fields) -> bool:
        if viewer.user_id is None:
            return False
        if record.owner_id == viewer.user_id:
            return True
        queues = _queues(viewer.user_id)
        if record.queue_id is not None and queues.filter(pk=record.queue_id).exists():
            return True
        open_or_internal = record.state in OPEN_STATES or record.case_type == INTERNAL_REQUEST
        return open_or_internal and queues.filter(kind=DESK).exists()

    def condition(self, viewer, role, fields) -> Q | None:
        desk = _queues(viewer.user_id, DESK).values("pk")
        return (
            Q(owner_id=viewer.user_id)
            | Q(queue_id__in=_queues(viewer.user_id).values("pk"))
            | ((Q(state__in=OPEN_STATES) | Q(case_type=INTERNAL_REQUEST)) & Q(Exists(desk)))
        )


CUSTOMERS_OWNED, TEAM_CASES, WORKED = CustomersOwned(), TeamCases(), Worked()
READ: dict[str, Rule] = {
    A.ADMINISTRATOR: EVERYWHERE,
    A.BRANCH_MANAGER: IN_SCOPE,
    A.TEAM_LEAD: TEAM_CASES,
    A.ACCOUNT_MANAGER: CUSTOMERS_OWNED,
    A.SERVICE_AGENT: WORKED,
}
CASE_VIEW = Action("case.view", {**READ, A.AUDITOR: EVERYWHERE})
STAFF = tuple(Role.values)

ACTIONS = (
    CASE_VIEW,
    # Opening a case: for a customer the viewer sees (checked by the service).
    Action("case.create", {r: EVERYWHERE for r in READ}),
    # State moves and edits.
    Action("case.work", READ),
    # Giving a case to an agent or a queue; checked on the case before the move.
    Action("case.assign", {r: READ[r] for r in READ if r != A.ACCOUNT_MANAGER}),
    # Root-cause analysis and resolution times over the cases the viewer may read; account
    # managers see their customers' cases one by one, not the desk's statistics.
    Action(
        "case.analyse",
        {**{r: READ[r] for r in READ if r != A.ACCOUNT_MANAGER}, A.AUDITOR: EVERYWHERE},
    ),  # fmt: skip
    # Recording what was done about a root cause.
    Action("corrective_action.manage", {A.ADMINISTRATOR: EVERYWHERE}),
    Action("case_reference.view", {r: EVERYWHERE for r in STAFF}),
    Action("case_reference.manage", {A.ADMINISTRATOR: EVERYWHERE}),
)


def sees_case(viewer: Viewer, case) -> bool:
    """Whether the viewer may read this case."""
    return CASE_VIEW.allows(viewer, case)


def keeps_cases_they_open(roles) -> bool:
    """Whether a case this person opens without naming an agent becomes theirs: the service
    agent who takes a call works the case they open."""
    return A.SERVICE_AGENT in roles


def sees_phone_of_open_cases(roles) -> bool:
    """Whether this person sees a customer's full phone while a case of theirs for that
    customer is open (the service agent's field grant; other roles' access is their role's)."""
    return A.SERVICE_AGENT in roles


def may_be_given_cases(roles) -> bool:
    """Whether a case may be given to this person: service agents and team leads."""
    return A.SERVICE_AGENT in roles or A.TEAM_LEAD in roles
