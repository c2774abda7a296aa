"""The service domain's field grant (``guanxi.policy.fields``): a service agent sees the
full phone of a customer while a case of theirs for that customer is open.

"Theirs" as the case policy's own worked cases: given to the agent, or waiting in a queue
they are a member of. Once the case is resolved (or confirmed, or closed) the phone is
masked again. A page asks for all its customers at once, in one query.
"""

from django.db.models import Q

from guanxi import policy
from guanxi.policy.viewer import Viewer
from guanxi.service.case_models import OPEN, Case, ServiceQueue

GRANTED = frozenset({"phone"})


def open_case_phone(viewer: Viewer, customer_ids: list[int]) -> dict[int, set[str]]:
    """The full phone of each customer among ``customer_ids`` with an open case of the
    viewer's (only for a service agent; the other roles' access is their role's)."""
    if (
        not policy.sees_phone_of_open_cases(viewer.roles)
        or viewer.user_id is None
        or not customer_ids
    ):
        return {}
    queues = ServiceQueue.objects.filter(members__id=viewer.user_id).values("pk")
    theirs = Q(owner_id=viewer.user_id) | Q(queue_id__in=queues)
    found = (
        Case.objects.filter(OPEN, theirs, customer_id__in=customer_ids)
        .values_list("customer_id", flat=True)
        .distinct()
    )
    return {customer_id: set(GRANTED) for customer_id in found}
