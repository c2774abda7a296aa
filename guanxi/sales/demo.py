"""Demo opportunities for ``guanxi demo-data --opportunities N``, written in bulk.

Each goes to a random customer with an account manager, in the default pipeline, at a stage
drawn so that most are early and a quarter closed; amounts are log-normal around ¥200,000,
expected close dates within half a year of today. Each was created within the last year and
walked the open stages in order, one to four weeks in each, up to where it stands; a lost
one left from an open stage of its path, a won one after the last. Its stage history holds
every move, and a closed one closed on its last move, so stage conversion and cycle times
have something to measure.
"""

from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.utils import timezone

from guanxi.customers.models import Customer, Product
from guanxi.sales.models import LossReason, Opportunity, Stage, StageChange, StageKind
from guanxi.sales.selectors import default_pipeline
from guanxi.sales.stage_history import walked

# Relative weights of the default pipeline's stages, in their order (won and lost last).
STAGE_WEIGHTS = (0.22, 0.18, 0.14, 0.1, 0.08, 0.16, 0.12)
NEXT_STEPS = ("电话回访", "约见面谈", "递交方案", "产品演示", "签约准备", "陪同风险评估")
NAMES = ("理财配置", "大额存单", "个人贷款", "信用卡分期", "企业结算", "保险规划", "代发工资")
DAYS_IN_STAGE = (7, 29)  # the least and most days an opportunity spends in a stage
HISTORY_DAYS = 365  # opportunities were created within this many days


def _path(stages: list[Stage], at: int, rng: np.random.Generator) -> list[Stage]:
    """The stages an opportunity now at ``stages[at]`` went through, in order: the open
    stages up to its own, or, when closed, up to the last (won) or a random one (lost)."""
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    stage = stages[at]
    if stage.kind == StageKind.OPEN:
        return open_stages[: open_stages.index(stage) + 1]
    reached = len(open_stages) if stage.is_won else int(rng.integers(1, len(open_stages) + 1))
    return [*open_stages[:reached], stage]


def load_demo_opportunities(count: int, seed: int = 42, batch_size: int = 20_000) -> int:
    """Write ``count`` opportunities; returns how many (none without owned customers)."""
    owned = np.array(
        Customer.objects.filter(owner__isnull=False)
        .order_by("id")
        .values_list("id", "branch_id", "owner_id"),
        dtype=np.int64,
    ).reshape(-1, 3)
    if not len(owned) or count < 1:
        return 0
    pipeline = default_pipeline()
    stages = list(pipeline.stages.order_by("order"))
    weights = np.array(STAGE_WEIGHTS[: len(stages)] + (0.1,) * (len(stages) - len(STAGE_WEIGHTS)))
    products = list(Product.objects.values_list("id", "name"))
    rng = np.random.default_rng([seed, 11])
    now = timezone.now()
    today = timezone.localdate()
    reasons = LossReason.values
    written = 0
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        rows = owned[rng.integers(0, len(owned), size)]
        stage_at = rng.choice(len(stages), size, p=weights / weights.sum())
        amounts = np.round(rng.lognormal(np.log(200_000), 1.0, size).clip(1_000, 5e8), -2)
        close_in = rng.integers(-60, 180, size)
        product_at = rng.integers(0, max(len(products), 1), size)
        batch: list[Opportunity] = []
        moves: list[list[tuple[Stage, datetime]]] = []
        for i in range(size):
            stage = stages[stage_at[i]]
            product = products[product_at[i]] if products else None
            closed = stage.kind != StageKind.OPEN
            path = _path(stages, int(stage_at[i]), rng)
            days = rng.integers(*DAYS_IN_STAGE, len(path) - 1, endpoint=True).astype(float)
            age = float(rng.integers(1, HISTORY_DAYS))
            if days.sum() > age:  # squeezed, so that the last move is not after now
                days *= age / days.sum()
            created = now - timedelta(days=age)
            at = [created + timedelta(days=float(d)) for d in np.concatenate([[0], days.cumsum()])]
            moves.append(list(zip(path, at, strict=True)))
            batch.append(
                Opportunity(
                    name=product[1] if product else NAMES[i % len(NAMES)],
                    customer_id=int(rows[i, 0]),
                    branch_id=int(rows[i, 1]),
                    owner_id=int(rows[i, 2]),
                    pipeline=pipeline,
                    stage=stage,
                    status=stage.kind,
                    amount=Decimal(int(amounts[i])),
                    product_id=product[0] if product else None,
                    expected_close_date=today + timedelta(days=int(close_in[i])),
                    next_step="" if closed else NEXT_STEPS[i % len(NEXT_STEPS)],
                    next_step_due=None if closed else today + timedelta(days=int(i % 21) - 5),
                    probability=stage.probability,
                    loss_reason=reasons[i % len(reasons)] if stage.is_lost else "",
                    closed_at=at[-1] if closed else None,
                    created_by_id=int(rows[i, 2]),
                    created_at=created,
                )
            )
        with transaction.atomic():
            made = Opportunity.objects.bulk_create(batch, batch_size=2_000)
            StageChange.objects.bulk_create(
                (
                    move
                    for o, path in zip(made, moves, strict=True)
                    for move in walked(o, path, o.owner_id)
                ),
                batch_size=2_000,
            )
        written += size
    return written
