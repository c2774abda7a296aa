"""Demo plans for ``guanxi demo-data`` (skipped with ``--no-plans``): for every account
manager of a branch, a plan of the current week and one of the current month.

Each plan holds visits and calls with the manager's customers, best tiers first (the
platinum and gold customers a contact rule asks to see), spread over the working days, with
a purpose, and targets an account manager would be given. Written in bulk after the demo
activities (generated data: no audit entries or events), so completion has something to
count from the first page.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from guanxi.customers.models import Customer, ValueTier
from guanxi.org.models import Profile
from guanxi.org.roles import Role
from guanxi.plans.models import Plan, PlanItem, PlannedKind, PlanPeriod, PlanTarget
from guanxi.plans.periods import period_bounds

PURPOSES = ("季度回访", "理财产品到期续作", "介绍新发行理财", "了解资金需求", "生日问候",
            "贷款需求跟进", "资产配置建议")  # fmt: skip
WEEK_ITEMS, MONTH_ITEMS = 6, 12
TARGETS = {
    PlanPeriod.WEEK: {"contacts": 15, "visits": 5, "new_customers": 1},
    PlanPeriod.MONTH: {"contacts": 60, "visits": 20, "new_customers": 4, "new_opportunities": 5,
                       "won_amount": 500_000},
}  # fmt: skip
TIER_ORDER = Case(
    *(When(value_tier=t.value, then=Value(n)) for n, t in enumerate(ValueTier)),
    output_field=IntegerField(),
)


def generate_plans(seed: int = 42) -> int:
    """Write the week and month plans of every account manager; returns how many plans."""
    rng = random.Random(seed)
    today = timezone.localdate()
    managers = [
        p for p in Profile.objects.filter(branch__isnull=False, user__is_active=True)
        if Role.ACCOUNT_MANAGER in p.roles
    ]  # fmt: skip
    plans, items, targets = [], [], []
    for profile in managers:
        customers = list(
            Customer.objects.filter(owner_id=profile.user_id)
            .order_by(TIER_ORDER, "?")
            .values_list("pk", flat=True)[:MONTH_ITEMS]
        )
        if not customers:
            continue
        for period, count in ((PlanPeriod.WEEK, WEEK_ITEMS), (PlanPeriod.MONTH, MONTH_ITEMS)):
            first, last = period_bounds(period, today)
            plan = Plan(owner_id=profile.user_id, branch_id=profile.branch_id, period=period,
                        starts_on=first, ends_on=last, created_by_id=profile.user_id)  # fmt: skip
            plans.append(plan)
            working = [first + timedelta(days=n) for n in range((last - first).days + 1)
                       if (first + timedelta(days=n)).weekday() < 5]  # fmt: skip
            for customer_id in customers[:count]:
                kind = PlannedKind.VISIT if rng.random() < 0.4 else PlannedKind.CALL
                items.append((plan, PlanItem(customer_id=customer_id, kind=kind,
                                             planned_on=rng.choice(working),
                                             purpose=rng.choice(PURPOSES))))  # fmt: skip
            targets += [(plan, PlanTarget(metric=m, target=v)) for m, v in TARGETS[period].items()]
    with transaction.atomic():
        Plan.objects.bulk_create(plans, batch_size=2_000)
        for plan, row in [*items, *targets]:
            row.plan_id = plan.pk
        PlanItem.objects.bulk_create([row for _plan, row in items], batch_size=2_000)
        PlanTarget.objects.bulk_create([row for _plan, row in targets], batch_size=2_000)
    return len(plans)
