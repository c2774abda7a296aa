"""The service domain's actions on satisfaction surveys.

Survey templates are reference data: every member of staff who reads cases reads them,
administrators write them. An invitation or a response is seen by those who see its
customer, or its case, in the way their role sees customers and cases (an account manager
the answers of their own customers; a service agent those of every customer, as they
see every customer; a team lead their team's). Whoever may open a case for a customer
may invite them to a survey. Marketers and analysts read none (the free comments are the
customer's own words); auditors read all of them.
"""

from django.db.models import Q

from guanxi.org.roles import Role
from guanxi.policy.cases import CASE_VIEW
from guanxi.policy.customers import CUSTOMER_VIEW
from guanxi.policy.rules import EVERYWHERE, NOTHING, OWNED, Action, Rule

A = Role
# The roles that read answers within the reach of their customers and cases.
READERS = (A.BRANCH_MANAGER, A.TEAM_LEAD, A.ACCOUNT_MANAGER, A.SERVICE_AGENT)


class CustomerOrCaseSeen(Rule):
    """Invitations and responses whose customer the role sees, or whose case it sees."""

    name = "customer or case seen"

    def allows(self, viewer, role, record, fields) -> bool:
        seen = CUSTOMER_VIEW.rules[role].allows(viewer, role, record.customer, OWNED)
        if seen or record.case_id is None or role not in CASE_VIEW.rules:
            return seen
        return CASE_VIEW.rules[role].allows(viewer, role, record.case, OWNED)

    def condition(self, viewer, role, fields) -> Q | None:
        from guanxi.customers.models import Customer  # the policy loads before apps
        from guanxi.service.case_models import Case

        customers = CUSTOMER_VIEW.rules[role].condition(viewer, role, OWNED)
        if customers is None:
            return None
        found = Q(customer_id__in=Customer.objects.filter(customers).values("pk"))
        cases = (
            CASE_VIEW.rules[role].condition(viewer, role, OWNED)
            if role in CASE_VIEW.rules
            else NOTHING
        )
        if cases is None:
            return found | Q(case_id__isnull=False)
        return found | Q(case_id__in=Case.objects.filter(cases).values("pk"))


SEEN = CustomerOrCaseSeen()
ANSWERS: dict[str, Rule] = {
    A.ADMINISTRATOR: EVERYWHERE,
    A.AUDITOR: EVERYWHERE,
    **{r: SEEN for r in READERS},
}
STAFF_READERS = (A.ADMINISTRATOR, A.AUDITOR, *READERS)

ACTIONS = (
    Action("survey.view", {r: EVERYWHERE for r in STAFF_READERS}),
    Action("survey.manage", {A.ADMINISTRATOR: EVERYWHERE}),
    # Inviting: for a customer the viewer sees (checked by the service).
    Action("survey.invite", {A.ADMINISTRATOR: EVERYWHERE, **{r: EVERYWHERE for r in READERS}}),
    Action("survey_response.view", ANSWERS),
)
