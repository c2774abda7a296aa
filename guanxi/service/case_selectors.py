"""Reads of cases, always through the policy's record scope, and of the reference data
cases use (queues, categories, root causes).

A case out of the viewer's scope reads as missing (``Case.DoesNotExist``, a 404), the same
as one that does not exist. The desk's queue puts higher tiers first (the green channel),
then the nearest resolution deadline.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.customers.models import Product
from guanxi.org.models import Profile
from guanxi.service import case_clock
from guanxi.service.case_models import (
    OPEN,
    QUEUE_ORDER,
    Case,
    CaseAssignment,
    CaseCategory,
    CaseTransition,
    RootCause,
    ServiceQueue,
)

MAX_PAGE_SIZE = 100
COUNT_LIMIT = 1_000
FILTERS = ("state", "case_type", "priority", "queue_id", "owner_id", "customer_id", "branch_id")
SLA_STATUSES = (*case_clock.STATUS_LABELS,)


def now() -> datetime:
    """The moment SLA clocks are read at (tests fix it)."""
    return timezone.now()


def cases_in_scope(viewer: policy.Viewer, action: str = "case.view") -> QuerySet[Case]:
    """The cases the viewer may do ``action`` to (none if their roles may not)."""
    if not policy.allows(viewer, action):
        return Case.objects.none()
    return policy.scoped(viewer, Case.objects.all(), action)


def _with_related(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related(
        "customer", "owner__profile", "queue", "category", "root_cause", "product",
        "sla_policy__calendar",
    )  # fmt: skip


def case_get_for_user(*, viewer: policy.Viewer, case_id: int) -> Case:
    """One case the viewer may see: a role that may not read cases is refused (403); one
    out of scope reads as missing (404)."""
    policy.require(viewer, "case.view")
    return _with_related(cases_in_scope(viewer)).get(pk=case_id)


def case_after_change(*, case_id: int) -> Case:
    """A case just changed by a service that checked the viewer's right to change it, read
    back for its answer — also when the change took it out of the viewer's scope (an
    agent transferring a case to another department)."""
    return _with_related(Case.objects.all()).get(pk=case_id)


def case_get_workable_for_user(*, viewer: policy.Viewer, case_id: int, action: str) -> Case:
    """A case the viewer may ``action``: out of scope reads as missing, in scope but not
    allowed (an auditor) is forbidden."""
    case = case_get_for_user(viewer=viewer, case_id=case_id)
    policy.require(viewer, action, case)
    return case


@dataclass(frozen=True)
class CasePage:
    rows: list[Case]
    count: int
    page: int
    page_size: int
    has_next: bool
    # More than ``COUNT_LIMIT`` cases match: ``count`` is that many, not all of them.
    count_is_lower_bound: bool = False


def case_list_for_user(
    *,
    viewer: policy.Viewer,
    filters: dict,
    sla_status: str | None,
    page: int,
    page_size: int,
    open_only: bool = False,
) -> CasePage:
    """A page of the cases in the viewer's scope, in queue order (tier, then resolution
    due; cases without a deadline last), filtered by the given fields and SLA status (and
    to the open cases, for the desk's queue)."""
    policy.require(viewer, "case.view")
    if sla_status is not None and sla_status not in SLA_STATUSES:
        choices = ", ".join(SLA_STATUSES)
        raise ValidationError({"sla_status": [_("Choose one of: %s.") % choices]})
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": [_("Give 1 to %s.") % MAX_PAGE_SIZE]})
    cases = cases_in_scope(viewer).filter(**{k: v for k, v in filters.items() if k in FILTERS})
    if open_only:
        cases = cases.filter(OPEN)
    if sla_status is not None:
        cases = cases.filter(case_clock.status_condition(sla_status, now()))
    # Counted up to the limit: a queue of thousands reads "1,000+", and the count stops
    # there instead of reading every open case of the scope.
    count = cases.values("pk")[: COUNT_LIMIT + 1].count()
    start = (page - 1) * page_size
    # The page's ids in queue order first (one more: is there a next page?), from the
    # queue's index alone; joined to the customer in the same query, SQLite would start
    # from the customers instead.
    ids = list(
        cases.order_by(*QUEUE_ORDER).values_list("pk", flat=True)[start : start + page_size + 1]
    )
    shown = ids[:page_size]
    found = _with_related(Case.objects.filter(pk__in=shown)).in_bulk()
    return CasePage(
        rows=[found[pk] for pk in shown if pk in found], count=min(count, COUNT_LIMIT),
        page=page, page_size=page_size, has_next=len(ids) > page_size,
        count_is_lower_bound=count > COUNT_LIMIT,
    )  # fmt: skip


def case_transitions(*, case: Case) -> list[CaseTransition]:
    """The case's state moves, oldest first, with who made them."""
    return list(case.transitions.select_related("by__profile").order_by("at", "pk"))


def case_assignments(*, case: Case) -> list[CaseAssignment]:
    """The case's assignments and transfers, oldest first."""
    found = case.assignments.select_related(
        "to_owner__profile", "to_queue", "from_queue", "by__profile"
    )
    return list(found.order_by("at", "pk"))


def category_list_for_user(*, viewer: policy.Viewer) -> QuerySet[CaseCategory]:
    """The category tree, by code."""
    policy.require(viewer, "case_reference.view")
    return CaseCategory.objects.order_by("code")


def root_cause_list_for_user(*, viewer: policy.Viewer) -> QuerySet[RootCause]:
    """The root-cause taxonomy, by code."""
    policy.require(viewer, "case_reference.view")
    return RootCause.objects.order_by("code")


def queue_list_for_user(*, viewer: policy.Viewer) -> QuerySet[ServiceQueue]:
    """The service queues, by name (organisation structure, not personal data)."""
    policy.require(viewer, "case_reference.view")
    return ServiceQueue.objects.order_by("name")


def agent_candidates(*, viewer: policy.Viewer) -> list[tuple[int, str]]:
    """Whom a case may be given to: the active service agents and team leads (one query)."""
    policy.require(viewer, "case_reference.view")
    profiles = Profile.objects.filter(user__is_active=True).select_related("user")
    return [
        (p.user_id, p.display_name or p.user.get_username())
        for p in profiles.order_by("display_name", "user_id")
        if policy.may_be_given_cases(p.roles)
    ]


def product_list_for_user(*, viewer: policy.Viewer) -> QuerySet[Product]:
    """The product catalogue a case may name, by code."""
    policy.require(viewer, "case_reference.view")
    return Product.objects.order_by("code")
