"""Demo cases for ``guanxi demo-data --cases N``, written in bulk.

Every type, channel and priority over the demo customers, received over the past year; each
gets the SLA policy a real one would (type × priority × tier) and its deadlines from the
working-time engine, loaded once (a few microseconds a deadline). States are spread as a
desk's history is: most cases closed, some resolved or confirmed, the recent ones open
(new, acknowledged, in progress, waiting on the customer), a few still open past their
deadline — warned, and mostly escalated already (a day on, to the branch manager). A
resolved complaint has a root cause and the customer's confirmation, and some a cost. Each
case keeps its first and its last state move. No audit entry or event per row: this is
generated history.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from guanxi.customers.models import Customer, Product
from guanxi.demo.store import reset_sequences
from guanxi.service.case_clock import DUE_SOON_SHARE, tier_rank
from guanxi.service.case_models import Case, CaseTransition
from guanxi.service.case_types import CaseChannel, CasePriority, CaseState, CaseType
from guanxi.service.demo_setup import DeskSetup, desk_setup
from guanxi.service.loader import working_time_for
from guanxi.service.models import SlaPolicy
from guanxi.service.working_time import WorkingTime

S, T = CaseState, CaseType
TYPES = ((T.INQUIRY, 0.35), (T.SERVICE_REQUEST, 0.25), (T.COMPLAINT, 0.2),
         (T.INTERNAL_REQUEST, 0.12), (T.PRAISE, 0.08))  # fmt: skip
CHANNELS = ((CaseChannel.HOTLINE, 0.35), (CaseChannel.BRANCH, 0.25), (CaseChannel.APP, 0.2),
            (CaseChannel.ONLINE, 0.12), (CaseChannel.EMAIL, 0.05),
            (CaseChannel.LETTER, 0.03))  # fmt: skip
PRIORITIES = ((CasePriority.LOW, 0.15), (CasePriority.NORMAL, 0.55), (CasePriority.HIGH, 0.22),
              (CasePriority.URGENT, 0.08))  # fmt: skip
SUBJECTS = {
    T.INQUIRY: ["询问理财产品收益", "询问转账限额", "询问网点营业时间", "询问信用卡额度"],
    T.SERVICE_REQUEST: ["申请修改预留手机号", "申请开具存款证明", "申请解冻账户", "申请调整额度"],
    T.COMPLAINT: ["转账失败未退款", "理财到期未兑付", "网点排队时间过长", "信用卡被误收年费",
                  "手机银行无法登录", "销售人员误导购买"],
    T.INTERNAL_REQUEST: ["请风控部门核查交易", "请科技部门排查系统故障", "请清算部门查询汇款",
                         "请研究部提供产品说明", "请合规部审核投诉处理"],
    T.PRAISE: ["表扬客户经理服务周到", "表扬网点员工耐心", "表扬热线客服"],
}  # fmt: skip
NOTES = ["已向客户说明处理结果", "已为客户办理完毕", "客户表示满意", "已协调后台部门处理"]
YEAR = timedelta(days=365)
COMPENSATED = 0.3  # the share of resolved complaints that cost something
# A breached case is with the branch manager a day after its team lead had it.
SECOND_AFTER = timedelta(hours=24)


@dataclass
class _Pool:
    """The customers and products cases are drawn over."""

    customer_ids: np.ndarray
    branch_ids: list
    owner_ids: list
    tiers: list[str]
    product_ids: list[int]


def _pick(rng: np.random.Generator, weighted, size: int) -> list:
    values, weights = zip(*weighted, strict=True)
    at = rng.choice(len(values), size, p=np.array(weights) / sum(weights))
    return [values[i] for i in at.tolist()]


def _pool(limit: int = 2_000_000) -> _Pool:
    rows = list(
        Customer.objects.order_by("id").values_list("id", "branch_id", "owner_id", "value_tier")[
            :limit
        ]
    )
    ids, branches, owners, tiers = zip(*rows, strict=True) if rows else ((), (), (), ())
    products = list(Product.objects.values_list("id", flat=True))
    return _Pool(np.array(ids, dtype=np.int64), list(branches), list(owners), list(tiers),
                 products)  # fmt: skip


class _Policies:
    """The SLA policy of each (type, priority, tier), resolved once."""

    def __init__(self) -> None:
        self.rows = {(p.case_type, p.priority, p.value_tier): p for p in SlaPolicy.objects.all()}

    def of(self, case_type: str, priority: str, tier: str) -> SlaPolicy | None:
        return self.rows.get((case_type, priority, tier)) or self.rows.get(
            (case_type, priority, "")
        )


def _fate(rng: np.random.Generator, resolution_due: datetime, now: datetime) -> str:
    """The state a case received long enough ago has reached (most are finished)."""
    r = rng.random()
    if resolution_due < now:  # its deadline is past: almost all done
        if r < 0.03:
            return (S.IN_PROGRESS, S.WAITING, S.ACKNOWLEDGED)[int(rng.integers(0, 3))]
        return S.CLOSED if r < 0.88 else (S.CONFIRMED if r < 0.94 else S.RESOLVED)
    if r < 0.15:
        return S.NEW
    if r < 0.3:
        return S.ACKNOWLEDGED
    if r < 0.55:
        return S.IN_PROGRESS
    if r < 0.65:
        return S.WAITING
    return S.CLOSED if r < 0.85 else S.RESOLVED


def _clock(
    case: Case, engine: WorkingTime, sla: SlaPolicy, received: datetime, state: str,
    rng: np.random.Generator, now: datetime,
) -> str:  # fmt: skip
    """Set the case's deadlines and times for ``state``; the state it ends in (a case
    whose resolution would fall in the future stays in progress)."""
    case.first_response_due = engine.deadline_after(
        received, timedelta(minutes=sla.first_response_minutes)
    )
    target = timedelta(minutes=sla.resolution_minutes)
    case.resolution_due = engine.deadline_after(received, target)
    case.resolution_warn_at = engine.deadline_after(received, target * (1 - DUE_SOON_SHARE))
    share = float(rng.lognormal(-0.7, 0.6))  # of the target; about one in eleven is late
    if state != S.NEW:
        answered = engine.deadline_after(
            received, timedelta(minutes=sla.first_response_minutes) * min(share, 3.0)
        )
        case.first_responded_at = min(answered, now)
    if state in (S.RESOLVED, S.CONFIRMED, S.CLOSED):
        resolved = engine.deadline_after(received, target * share)
        if resolved > now:
            state = S.IN_PROGRESS
        else:
            case.resolved_at = max(resolved, case.first_responded_at or resolved)
    if state == S.WAITING:
        start = case.first_responded_at or received
        case.paused_since = start + (now - start) * float(rng.random())
        case.paused_total = timedelta(0)
    elif case.resolved_at is None and now >= case.resolution_warn_at:
        case.warned_at = case.resolution_warn_at
        if now > case.resolution_due and rng.random() < 0.9:  # the rest: the sweep's work
            case.escalation_level = 2 if now - case.resolution_due > SECOND_AFTER else 1
    return state


def _case(setup: DeskSetup, policies: _Policies, engines: dict, pool: _Pool, i: int,
          draws: dict, rng: np.random.Generator, now: datetime) -> Case:  # fmt: skip
    at = int(draws["customer"][i])
    case_type, priority = draws["type"][i], draws["priority"][i]
    received = now - YEAR * float(draws["age"][i]) ** 2  # more of the recent
    leaf = setup.leaves[int(draws["category"][i])]
    queue = setup.queues[setup.leaf_department[leaf.pk]]
    if case_type in (T.INQUIRY, T.PRAISE) or rng.random() < 0.5:
        queue = setup.desk
    agents = setup.agents[queue.pk]
    case = Case(
        case_type=case_type, channel=draws["channel"][i], priority=priority,
        category_id=leaf.pk, customer_id=int(pool.customer_ids[at]),
        product_id=pool.product_ids[at % len(pool.product_ids)]
        if pool.product_ids and rng.random() < 0.4 else None,
        subject=SUBJECTS[case_type][i % len(SUBJECTS[case_type])], branch_id=pool.branch_ids[at],
        queue_id=queue.pk, created_at=received, tier_rank=tier_rank(pool.tiers[at] or ""),
    )  # fmt: skip
    sla = policies.of(case_type, priority, pool.tiers[at] or "")
    state: str = S.NEW
    if sla is not None:
        case.sla_policy_id = sla.pk
        engine = engines.get(sla.calendar_id)
        if engine is None:  # loaded once: a deadline is then arithmetic alone
            engine = engines[sla.calendar_id] = working_time_for(sla.calendar)
        due = engine.deadline_after(received, timedelta(minutes=sla.resolution_minutes))
        state = _clock(case, engine, sla, received, _fate(rng, due, now), rng, now)
    case.state = state
    if state != S.NEW:
        case.owner_id = agents[i % len(agents)]
    if case_type == T.COMPLAINT and state != S.NEW:
        case.promised_reply_at = (case.first_responded_at or received) + timedelta(days=2)
    if case.resolved_at is not None:
        case.resolution_note = NOTES[i % len(NOTES)]
        if case_type == T.COMPLAINT:
            case.root_cause_id = setup.root_causes[i % len(setup.root_causes)]
            case.customer_confirmed = True
            if rng.random() < COMPENSATED:  # a refund, a fee waived, a goodwill payment
                case.compensation = Decimal(int(rng.lognormal(5.5, 1.2)))
    return case


def _transitions(case: Case) -> list[CaseTransition]:
    rows = [CaseTransition(case_id=case.pk, to_state=S.NEW, at=case.created_at)]
    if case.state != S.NEW:
        at = case.resolved_at or case.paused_since or case.first_responded_at or case.created_at
        before = S.IN_PROGRESS if case.resolved_at else S.ACKNOWLEDGED
        rows.append(CaseTransition(case_id=case.pk, from_state=before, to_state=case.state,
                                   at=at, by_id=case.owner_id))  # fmt: skip
    return rows


def load_demo_cases(count: int, seed: int = 42, batch_size: int = 20_000) -> int:
    """Write ``count`` cases over the existing customers; returns how many (none without
    customers)."""
    pool = _pool()
    if count < 1 or not len(pool.customer_ids):
        return 0
    setup = desk_setup()
    policies = _Policies()
    engines: dict[int, WorkingTime] = {}
    rng = np.random.default_rng([seed, 12])
    now = timezone.now().replace(microsecond=0)
    next_id = (Case.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    written = 0
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        draws = {
            "customer": rng.integers(0, len(pool.customer_ids), size),
            "type": _pick(rng, TYPES, size),
            "channel": _pick(rng, CHANNELS, size),
            "priority": _pick(rng, PRIORITIES, size),
            "age": rng.random(size),
            "category": rng.integers(0, len(setup.leaves), size),
        }
        batch = []
        for i in range(size):
            case = _case(setup, policies, engines, pool, i, draws, rng, now)
            case.pk = next_id
            case.number = f"CS{timezone.localtime(case.created_at):%Y%m%d}{next_id:07d}"
            next_id += 1
            batch.append(case)
        with transaction.atomic():
            Case.objects.bulk_create(batch, batch_size=2_000)
            CaseTransition.objects.bulk_create(
                (row for case in batch for row in _transitions(case)), batch_size=5_000
            )
        written += size
    reset_sequences([Case])
    return written
