"""Reads of plans, always through the policy's record scope.

A plan out of the viewer's scope reads as missing (``Plan.DoesNotExist``, a 404), the same
as one that does not exist. Whether planned contacts were done comes from
``guanxi.plans.completion``.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Count, QuerySet
from django.utils import timezone

from guanxi import policy
from guanxi.activities.models import Activity, ActivityStatus
from guanxi.customers.models import Customer
from guanxi.org.models import Profile
from guanxi.plans.completion import Completion, items_with_fulfilment, moments, plan_completion
from guanxi.plans.models import Plan, PlanItem, PlanPeriod

MAX_PAGE_SIZE = 100
PORTFOLIO_CHOICES = 300


def plans_in_scope(viewer: policy.Viewer, action: str = "plan.view") -> QuerySet[Plan]:
    """The plans the viewer may do ``action`` to (none if their roles may not)."""
    return policy.scoped(viewer, Plan.objects.all(), action)


def plan_get_for_user(*, viewer: policy.Viewer, plan_id: int) -> Plan:
    """One plan the viewer may see: a role that may not read plans is refused (403); one out
    of scope reads as missing (404)."""
    policy.require(viewer, "plan.view")
    plans = Plan.objects.select_related("owner__profile", "reviewed_by__profile")
    return policy.scoped(viewer, plans, "plan.view").get(pk=plan_id)


def plan_get_editable_for_user(
    *, viewer: policy.Viewer, plan_id: int, action: str = "plan.edit"
) -> Plan:
    """A plan the viewer may change (or review): out of scope reads as missing, in scope but
    not theirs to change (an auditor) is forbidden."""
    plan = plan_get_for_user(viewer=viewer, plan_id=plan_id)
    policy.require(viewer, action, plan)
    return plan


@dataclass(frozen=True)
class PlanPage:
    """A page of a plan list and whether there is a next one."""

    rows: Sequence[Plan]
    page: int
    page_size: int
    has_next: bool


def plan_list_for_user(
    *,
    viewer: policy.Viewer,
    period: str = "",
    owner_id: int | None = None,
    starts_from: dt.date | None = None,
    starts_until: dt.date | None = None,
    page: int = 1,
    page_size: int = 25,
) -> PlanPage:
    """The viewer's plans, latest period first, each with its number of planned contacts
    (one query)."""
    policy.require(viewer, "plan.view")
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    found = plans_in_scope(viewer).select_related("owner__profile")
    if period:
        found = found.filter(period=period)
    if owner_id is not None:
        found = found.filter(owner_id=owner_id)
    if starts_from is not None:
        found = found.filter(starts_on__gte=starts_from)
    if starts_until is not None:
        found = found.filter(starts_on__lte=starts_until)
    start = (page - 1) * page_size
    rows = list(
        found.annotate(planned=Count("items")).order_by("-starts_on", "period", "id")[
            start : start + page_size + 1
        ]
    )
    return PlanPage(rows[:page_size], page, page_size, len(rows) > page_size)


def plan_items(*, plan: Plan) -> list[PlanItem]:
    """The plan's planned contacts by day, each with the activity that fulfilled it
    (``done_activity_id``) and its review (one query)."""
    items = PlanItem.objects.filter(plan=plan).select_related(
        "customer", "review__reviewed_by__profile"
    )
    return list(items_with_fulfilment(items).order_by("planned_on", "id"))


@dataclass(frozen=True)
class PlanView:
    """A plan with its planned contacts and its completion."""

    plan: Plan
    items: list[PlanItem]
    completion: Completion


def plan_view_for_user(*, viewer: policy.Viewer, plan_id: int) -> PlanView:
    """A plan the viewer may see, its items and completion (six queries)."""
    plan = plan_get_for_user(viewer=viewer, plan_id=plan_id)
    items = plan_items(plan=plan)
    return PlanView(plan, items, plan_completion(plan=plan, items=items))


def plan_owner_viewer(plan_owner: object) -> policy.Viewer:
    """The plan's owner as the policy sees them: whose portfolio the plan may hold."""
    return policy.Viewer.of(plan_owner)


def portfolio_for(*, viewer: policy.Viewer, plan: Plan) -> list[tuple[int, str]]:
    """The customers a contact can be planned with: in the owner's scope and the viewer's,
    by name (one query; at most ``PORTFOLIO_CHOICES``)."""
    owner = plan_owner_viewer(plan.owner)
    customers = policy.customer_scope(owner, policy.customer_scope(viewer, Customer.objects.all()))
    return list(customers.order_by("name", "pk").values_list("pk", "name")[:PORTFOLIO_CHOICES])


def plan_owners_for(*, viewer: policy.Viewer) -> list[tuple[int, str]]:
    """Whose plans the viewer may make and open: the active colleagues who own customers
    within their reach (``plan.owner``), themself first (one query)."""
    people = policy.scoped(
        viewer, Profile.objects.filter(user__is_active=True).select_related("user"), "plan.owner"
    )
    shown = [
        (p.user_id, p.display_name or p.user.get_username())
        for p in people.order_by("display_name", "user_id")
        if policy.may_own_customers(p.roles)
    ]
    return sorted(shown, key=lambda person: person[0] != viewer.user_id)


def plan_for(*, viewer: policy.Viewer, owner_id: int, period: str, day: dt.date) -> Plan | None:
    """The owner's plan of the ``period`` holding ``day``, if the viewer may see it."""
    return (
        plans_in_scope(viewer)
        .filter(owner_id=owner_id, period=period, starts_on__lte=day, ends_on__gte=day)
        .first()
    )


def agenda_for(*, viewer: policy.Viewer, owner_id: int, day: dt.date) -> dict:
    """The owner's daily agenda: the contacts their week plan has for ``day`` (with whether
    each is done), and the activities they scheduled or logged that day, in the viewer's
    scope (three queries; four for a colleague's). A colleague whose plans the viewer may
    not read (``plan.view`` of a plan of theirs) is missing."""
    policy.require(viewer, "plan.view")
    if owner_id != viewer.user_id:
        colleague = Profile.objects.get(user_id=owner_id)
        if not policy.allows(
            viewer, "plan.view", SimpleNamespace(owner_id=owner_id, branch_id=colleague.branch_id)
        ):
            raise Profile.DoesNotExist
    week = plan_for(viewer=viewer, owner_id=owner_id, period=PlanPeriod.WEEK, day=day)
    planned: list[PlanItem] = []
    if week is not None:
        items = PlanItem.objects.filter(plan=week, planned_on=day).select_related("customer")
        planned = list(items_with_fulfilment(items).order_by("id"))
    start, end = moments(day, day)
    # Plans are about customers: activities about a lead alone are not the plan's.
    activities = (
        policy.scoped(viewer, Activity.objects.filter(customer__isnull=False), "activity.view")
        .filter(owner_id=owner_id, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("customer")
        .order_by("starts_at", "id")
    )
    return {"day": day, "plan": week, "planned": planned, "activities": list(activities)}


def today() -> dt.date:
    """Today in the server's time zone (the day plans and agendas open on)."""
    return timezone.localdate()
