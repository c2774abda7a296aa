"""What sales adds to the customer 360 page: the customer's open opportunities.

One query, and none for a viewer whose roles may not read opportunities.
"""

from guanxi import policy
from guanxi.customers.panels import Panel, register_360_panel
from guanxi.sales.selectors import open_opportunities_of_customer

PANEL_TEMPLATE = "sales/partials/customer_panel.html"


def opportunities_panel(viewer, customer_id: int) -> Panel | None:
    """The customer's open opportunities in the viewer's scope, with a link to open one."""
    if not policy.allows(viewer, "opportunity.view"):
        return None
    return Panel(
        PANEL_TEMPLATE,
        {
            "opportunities": open_opportunities_of_customer(viewer=viewer, customer_id=customer_id),
            "customer_id": customer_id,
            "can_create": policy.allows(viewer, "opportunity.create"),
        },
    )


register_360_panel("sales.opportunities", opportunities_panel)
