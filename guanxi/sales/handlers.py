"""What sales does when other domains' records change (see guanxi.core.events).

An opportunity's branch is its customer's, copied for scope and forecasts; when a customer
moves to another branch (a transfer), its opportunities follow, each move audited.
"""

from guanxi.audit.models import AuditAction
from guanxi.audit.services import TASK_CONTEXT, record
from guanxi.core.events import Delivered, subscribe
from guanxi.customers.models import Customer
from guanxi.sales.models import Opportunity


@subscribe("customer.updated", handler="sales.opportunities_follow_customer_branch")
def opportunities_follow_customer_branch(delivered: Delivered) -> None:
    """Give the customer's opportunities the customer's current branch (idempotent)."""
    if "branch_id" not in getattr(delivered.event, "fields", []):
        return
    branch_id = (
        Customer.objects.filter(pk=delivered.record_id).values_list("branch_id", flat=True).first()
    )
    if branch_id is None:
        return
    moved = list(
        Opportunity.objects.filter(customer_id=delivered.record_id)
        .exclude(branch_id=branch_id)
        .values_list("pk", "branch_id", "name")
    )
    Opportunity.objects.filter(pk__in=[pk for pk, _old, _name in moved]).update(branch_id=branch_id)
    for pk, old, name in moved:
        record(
            None,
            AuditAction.UPDATE,
            "opportunity",
            [pk],
            ["branch_id"],
            TASK_CONTEXT,
            changes={"branch_id": [old, branch_id]},
            name=name,
            customers=[delivered.record_id],
        )
