"""Demo activities: realistic visits, calls, meetings and tasks for the demo customers.

Written in bulk (no audit entry or event per row: this is generated history, as the demo's
transactions are). Most activities are done contacts of the past half year, logged by the
customer's account manager; about one in eight is open: planned for the coming two weeks,
due today, or overdue, so that my day has something on it.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from guanxi.activities.models import Activity, ActivityKind, ActivityStatus, ContactChannel
from guanxi.customers.models import Customer

K, S, C = ActivityKind, ActivityStatus, ContactChannel
# kind: (weight, channel, subjects, outcomes)
CALL_SUBJECTS = ["季度电话回访", "理财产品到期提醒", "账户变动确认", "生日问候", "活动邀请"]
CALL_OUTCOMES = ["客户满意", "客户暂无需求", "约定下周面谈", "未接通，稍后再拨"]
KINDS = {
    K.CALL: (40, C.PHONE, CALL_SUBJECTS, CALL_OUTCOMES),
    K.VISIT: (15, C.IN_PERSON, ["上门拜访", "企业走访", "资产配置沟通"],
              ["了解到新的资金需求", "客户考虑追加投资", "递交产品资料"]),
    K.MEETING: (10, C.IN_PERSON, ["网点面谈", "方案讲解", "签约面谈"],
                ["客户同意试用", "需要进一步报价", "已签约"]),
    K.EMAIL: (10, C.EMAIL, ["发送月度对账单说明", "发送产品说明书"], ["已发送"]),
    K.NOTE: (10, C.OTHER, ["客户偏好记录", "家庭情况变化"], [""]),
    K.TASK: (15, C.OTHER, ["准备资产配置方案", "跟进贷款申请材料", "更新客户风险测评"], [""]),
}  # fmt: skip
BATCH = 10_000


def _one(rng: random.Random, customer_id: int, owner_id: int, now) -> Activity:
    kinds = list(KINDS)
    kind = rng.choices(kinds, weights=[KINDS[k][0] for k in kinds])[0]
    _weight, channel, subjects, outcomes = KINDS[kind]
    planned = kind == K.TASK or rng.random() < 0.08
    if planned:
        starts = now + timedelta(days=rng.randint(-10, 14), hours=rng.randint(-8, 8))
        due = (starts + timedelta(days=rng.randint(0, 3))).date() if kind == K.TASK else None
        status, outcome, completed = S.OPEN, "", None
    else:
        starts = now - timedelta(days=rng.randint(0, 180), minutes=rng.randint(0, 600))
        due, status, outcome, completed = None, S.DONE, rng.choice(outcomes), starts
    long = kind in (K.VISIT, K.MEETING)
    return Activity(
        kind=kind,
        customer_id=customer_id,
        owner_id=owner_id,
        status=status,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=rng.choice((30, 60, 90))) if long else None,
        due_on=due,
        completed_at=completed,
        channel=channel,
        subject=rng.choice(subjects),
        outcome=outcome,
    )


def generate_activities(count: int, seed: int = 42) -> int:
    """Add ``count`` activities for customers that have an account manager; returns how many."""
    owned = list(
        Customer.objects.filter(owner__isnull=False).values_list("id", "owner_id").order_by("id")
    )
    if not owned or count < 1:
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    made = 0
    while made < count:
        size = min(BATCH, count - made)
        rows = [_one(rng, *rng.choice(owned), now) for _ in range(size)]
        with transaction.atomic():
            Activity.objects.bulk_create(rows, batch_size=2_000)
        made += size
    return made


def hand_over_activities(user) -> int:
    """Give the demo account manager the activities of the customers they took over."""
    return Activity.objects.filter(customer__owner=user).exclude(owner=user).update(owner=user)
