"""What cases add to the customer 360 page: a link to open a case for the customer.

The panel is asked only about a customer the viewer may see; it offers the link to a
viewer whose roles may open cases (the service checks the customer's scope when the form
is sent).
"""

from guanxi import policy
from guanxi.customers.panels import Panel, register_360_panel

PANEL_TEMPLATE = "service/partials/case_panel.html"


def case_panel(viewer, customer_id: int) -> Panel | None:
    """The "open a case" link, for those who may open cases."""
    if not policy.allows(viewer, "case.create"):
        return None
    return Panel(PANEL_TEMPLATE, {"customer_id": customer_id})


register_360_panel("service.case", case_panel)
