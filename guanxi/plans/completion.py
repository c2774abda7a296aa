"""Completion against plan, read from the stored activities and opportunities.

**When a planned contact counts as done.** A planned visit, call or meeting is done when an
activity of the same kind with the same customer is done (status ``done``) and took place
(``starts_at``, in the server's time zone) within the plan's period — the week or the month,
not only the planned day, since a visit moved from Tuesday to Thursday still keeps the
week's plan. Whoever logged it counts (a visit the team lead made with the account manager
is the customer's visit). The activity that fulfilled an item is the first such one; it
is found by the query that reads the items, never stored, so an activity logged late,
changed or cancelled moves the completion with it.

**Actual figures** of a plan are its owner's over the plan's period: done visits, calls and
meetings they logged (contacts, visits), customers they own that became customers then
(new customers), opportunities they own that were opened then, and the amount of those
they won then (closed as won).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from guanxi import policy
from guanxi.activities.models import Activity, ActivityStatus
from guanxi.customers.models import Customer, ValueTier
from guanxi.org.models import Profile
from guanxi.plans.models import CONTACT_KINDS, Plan, PlanItem, PlanPeriod, TargetMetric
from guanxi.sales.models import Opportunity, StageKind


def fulfilling_activities() -> QuerySet:
    """Done activities that fulfil the outer planned item (see the module docstring)."""
    return Activity.objects.filter(
        customer_id=OuterRef("customer_id"),
        kind=OuterRef("kind"),
        status=ActivityStatus.DONE,
        starts_at__date__gte=OuterRef("plan__starts_on"),
        starts_at__date__lte=OuterRef("plan__ends_on"),
    )


def items_with_fulfilment(items: QuerySet) -> QuerySet:
    """``items`` with ``done_activity_id``: the first activity that fulfilled each (or None)."""
    first = fulfilling_activities().order_by("starts_at", "id").values("id")[:1]
    return items.annotate(done_activity_id=Subquery(first))


def moments(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start of ``first`` and of the day after ``last``, in the server's time zone."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
    return start, end


def actual_figures(*, owner_id: int, first: dt.date, last: dt.date) -> dict[str, Decimal]:
    """Each target metric's actual value for an owner over a span of days (three queries)."""
    start, end = moments(first, last)
    # Contacts with customers: activities about a lead alone are not a plan's contacts.
    done = Activity.objects.filter(
        owner_id=owner_id,
        customer__isnull=False,
        status=ActivityStatus.DONE,
        starts_at__gte=start,
        starts_at__lt=end,
    ).aggregate(
        contacts=Count("id", filter=Q(kind__in=CONTACT_KINDS)),
        visits=Count("id", filter=Q(kind="visit")),
    )
    new_customers = Customer.objects.filter(
        owner_id=owner_id, created_at__gte=start, created_at__lt=end
    ).count()
    sales = Opportunity.objects.filter(owner_id=owner_id).aggregate(
        opened=Count("id", filter=Q(created_at__gte=start, created_at__lt=end)),
        won=Sum(
            "amount",
            filter=Q(status=StageKind.WON, closed_at__gte=start, closed_at__lt=end),
        ),
    )
    return {
        TargetMetric.CONTACTS: Decimal(done["contacts"]),
        TargetMetric.VISITS: Decimal(done["visits"]),
        TargetMetric.NEW_CUSTOMERS: Decimal(new_customers),
        TargetMetric.NEW_OPPORTUNITIES: Decimal(sales["opened"]),
        TargetMetric.WON_AMOUNT: sales["won"] or Decimal(0),
    }


def percent(done: Decimal | int, of: Decimal | int) -> int:
    """``done`` as a whole percentage of ``of`` (100 when nothing was asked)."""
    return 100 if not of else int(Decimal(done) * 100 / Decimal(of))


@dataclass(frozen=True)
class Completion:
    """A plan's completion: planned contacts and how many were done, targets and actuals."""

    planned: int
    done: int
    targets: list[dict]

    @property
    def percent(self) -> int:
        """Done planned contacts as a percentage of those planned."""
        return percent(self.done, self.planned)


def plan_completion(*, plan: Plan, items: list[PlanItem]) -> Completion:
    """How far ``plan`` is done; ``items`` are its items read with their fulfilment."""
    actual = actual_figures(owner_id=plan.owner_id, first=plan.starts_on, last=plan.ends_on)
    targets = [
        {
            "metric": t.metric,
            "label": str(TargetMetric(t.metric).label),
            "target": t.target,
            "actual": actual[t.metric],
            "percent": percent(actual[t.metric], t.target),
        }
        for t in sorted(plan.targets.all(), key=lambda t: list(TargetMetric.values).index(t.metric))
    ]
    done = sum(1 for item in items if getattr(item, "done_activity_id", None))
    return Completion(planned=len(items), done=done, targets=targets)


def plan_completion_for(
    *,
    viewer: policy.Viewer,
    first: dt.date,
    last: dt.date,
    owner_id: int | None = None,
    team_id: int | None = None,
    branch_id: int | None = None,
    period: str = PlanPeriod.WEEK,
) -> list[dict]:
    """Planned against actual contacts per customer value tier, for the process KPIs.

    Whose: one account manager (``owner_id``), a team's members (``team_id``) or a
    branch's staff (``branch_id``); none of them: everyone in the viewer's scope. Only what
    the viewer may see counts: plans in their ``plan.view`` scope, activities in their
    ``activity.view`` scope.

    ``planned`` counts the contacts of the ``period`` plans (week plans by default, so a
    visit in both a month's and a week's plan counts once) that start between ``first``
    and ``last``; ``done`` those of them fulfilled (the rule in this module's docstring).
    ``actual`` counts every done visit, call and meeting the same people logged between
    ``first`` and ``last`` (included), planned or not: the gap between the two is the
    unplanned contact. The tier is the customer's as it is now.

    Returns one row per value tier, best first: ``{"tier", "planned", "done", "actual",
    "percent"}``. Two queries, whatever the span.
    """
    plans = policy.scoped(viewer, Plan.objects.all(), "plan.view").filter(
        period=period, starts_on__gte=first, starts_on__lte=last
    )
    with_customer = Activity.objects.filter(customer__isnull=False)  # a lead's are not counted
    contacts = policy.scoped(viewer, with_customer, "activity.view").filter(
        status=ActivityStatus.DONE, kind__in=CONTACT_KINDS
    )
    start, end = moments(first, last)
    contacts = contacts.filter(starts_at__gte=start, starts_at__lt=end)
    if owner_id is not None:
        plans, contacts = plans.filter(owner_id=owner_id), contacts.filter(owner_id=owner_id)
    if team_id is not None:
        members = Profile.objects.filter(team_id=team_id).values("user_id")
        plans, contacts = plans.filter(owner_id__in=members), contacts.filter(owner_id__in=members)
    if branch_id is not None:
        plans = plans.filter(branch_id=branch_id)
        contacts = contacts.filter(owner__profile__branch_id=branch_id)
    planned = (
        PlanItem.objects.filter(plan__in=plans)
        .annotate(fulfilled=Exists(fulfilling_activities()))
        .values("customer__value_tier")
        .annotate(planned=Count("id"), done=Count("id", filter=Q(fulfilled=True)))
        .order_by()
    )
    by_tier = {row["customer__value_tier"]: row for row in planned}
    actual = dict(
        contacts.values("customer__value_tier")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("customer__value_tier", "n")
    )
    rows = []
    for tier in ValueTier:
        found = by_tier.get(tier.value, {})
        planned_n, done_n = found.get("planned", 0), found.get("done", 0)
        rows.append(
            {
                "tier": tier.value,
                "label": str(tier.label),
                "planned": planned_n,
                "done": done_n,
                "actual": actual.get(tier.value, 0),
                "percent": percent(done_n, planned_n),
            }
        )
    return rows
