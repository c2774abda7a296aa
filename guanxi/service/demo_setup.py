"""The service desk's reference data for the demo (``guanxi demo-data --cases N``): a
working calendar, the 2027 holidays, SLA policies, queues with their agents, categories
and root causes. Written through the services as the system actor; each piece is kept
when it exists already, so running it twice changes nothing.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from guanxi import policy
from guanxi.audit.services import TASK_CONTEXT
from guanxi.org.models import Branch, Profile
from guanxi.org.roles import Role
from guanxi.service import calendars, holidays, official_schedule, sla_policies
from guanxi.service.case_models import CaseCategory, RootCause, ServiceQueue
from guanxi.service.case_types import CasePriority, CaseType, Department
from guanxi.service.models import SlaPolicy, WorkingCalendar

CALENDAR = "客服中心工作日历"
WEEK = [
    {"weekday": day, "start": start, "end": end}
    for day in range(5)
    for start, end in (("09:00", "12:00"), ("13:30", "17:30"))
]
# 2027's holidays as the State Council's pattern gives them, for the demo only (enter the
# real notice when it is published): New Year, Spring Festival (6 February), Qingming,
# Labour Day, Dragon Boat, Mid-Autumn and National Day, with their make-up days.
HOLIDAYS_2027 = {
    "元旦": [(1, 1)],
    "春节": [(2, d) for d in range(5, 12)],
    "清明节": [(4, 5)],
    "劳动节": [(5, d) for d in range(1, 6)],
    "端午节": [(6, 9)],
    "中秋节": [(9, 15)],
    "国庆节": [(10, d) for d in range(1, 8)],
}
WORKDAYS_2027 = {"春节": [(2, 14)], "劳动节": [(4, 25)], "国庆节": [(10, 9)]}
# Working minutes by priority: first response, resolution (a working day is 420 minutes).
TARGETS = {
    CasePriority.URGENT: (30, 420),
    CasePriority.HIGH: (120, 1260),
    CasePriority.NORMAL: (240, 2100),
    CasePriority.LOW: (480, 4200),
}
# The green channel: a tier's share of the any-tier targets for complaints.
GREEN_CHANNEL = {"platinum": 0.25, "gold": 0.5}
CATEGORIES = {
    "ACCT": ("账户服务", "Accounts", Department.SERVICE_DESK,
             {"ACCT-OPEN": ("开户与销户", "Opening and closing"),
              "ACCT-FREEZE": ("冻结与解冻", "Freezes")}),
    "PAY": ("转账汇款", "Payments", Department.SETTLEMENT,
            {"PAY-FAIL": ("转账失败", "Failed transfers"),
             "PAY-LIMIT": ("转账限额", "Transfer limits")}),
    "WEALTH": ("理财产品", "Wealth products", Department.RESEARCH,
               {"WEALTH-RET": ("收益与净值", "Returns"),
                "WEALTH-MAT": ("到期兑付", "Maturity payouts")}),
    "CARD": ("信用卡", "Credit cards", Department.RISK,
             {"CARD-FEE": ("年费与利息", "Fees and interest"),
              "CARD-FRAUD": ("盗刷", "Fraud")}),
    "APP": ("网银与手机银行", "Online and app", Department.TECHNOLOGY,
            {"APP-LOGIN": ("登录问题", "Logging in"), "APP-BUG": ("功能故障", "Faults")}),
    "SERVICE": ("服务态度", "Staff conduct", Department.COMPLIANCE,
                {"SERVICE-WAIT": ("排队等候", "Waiting"),
                 "SERVICE-MIS": ("销售误导", "Mis-selling")}),
}  # fmt: skip
ROOT_CAUSES = {
    "PROCESS": ("流程缺陷", "Process",
                {"PROCESS-SLOW": "审批环节过多", "PROCESS-GAP": "流程无人负责"}),
    "SYSTEM": ("系统原因", "Systems",
               {"SYSTEM-OUTAGE": "系统故障", "SYSTEM-DESIGN": "界面设计不清"}),
    "STAFF": ("人员原因", "Staff", {"STAFF-SKILL": "业务不熟练", "STAFF-ATTITUDE": "服务态度"}),
    "PRODUCT": ("产品原因", "Products",
                {"PRODUCT-TERMS": "条款不清", "PRODUCT-PRICE": "收费争议"}),
    "CUSTOMER": ("客户原因", "Customers", {"CUSTOMER-MISREAD": "客户误解"}),
}  # fmt: skip
AGENTS_PER_QUEUE = 4


@dataclass(frozen=True)
class DeskSetup:
    """What the case generator draws from."""

    calendar: WorkingCalendar
    desk: ServiceQueue
    queues: dict[str, ServiceQueue]  # by department
    agents: dict[int, list[int]]  # queue id -> its agents' user ids
    leaves: list[CaseCategory]
    leaf_department: dict[int, str]
    root_causes: list[int]


def _days(year: int, spec: dict) -> list[dict]:
    return [{"day": date(year, m, d), "name": name} for name, days in spec.items()
            for m, d in days]  # fmt: skip


def _calendar(viewer: policy.Viewer) -> WorkingCalendar:
    if 2027 not in holidays.PACKAGE_YEARS and 2027 not in holidays.entered_years():
        official_schedule.official_schedule_set(
            viewer=viewer, year=2027, holidays=_days(2027, HOLIDAYS_2027),
            workdays=_days(2027, WORKDAYS_2027), expected_version=0, context=TASK_CONTEXT,
        )  # fmt: skip
    found = WorkingCalendar.objects.filter(name=CALENDAR).first()
    return found or calendars.calendar_create(
        viewer=viewer, name=CALENDAR, periods=WEEK, context=TASK_CONTEXT
    )


def _policies(viewer: policy.Viewer, calendar: WorkingCalendar) -> None:
    existing = set(SlaPolicy.objects.values_list("case_type", "priority", "value_tier"))
    for case_type in CaseType.values:
        for priority, (first, resolution) in TARGETS.items():
            tiers = {"": 1.0, **(GREEN_CHANNEL if case_type == CaseType.COMPLAINT else {})}
            for tier, share in tiers.items():
                if (case_type, priority.value, tier) in existing:
                    continue
                sla_policies.sla_policy_create(
                    viewer=viewer, case_type=case_type, priority=priority, value_tier=tier,
                    first_response_minutes=max(15, int(first * share)),
                    resolution_minutes=max(60, int(resolution * share)),
                    calendar_id=calendar.pk, context=TASK_CONTEXT,
                )  # fmt: skip


def _agents(queue: ServiceQueue, branch: Branch | None) -> list[int]:
    """The queue's agents, made when it has none (service agents of the queue's branch)."""
    have = list(queue.members.values_list("pk", flat=True))
    if have:
        return have
    users = get_user_model()
    made = []
    for k in range(AGENTS_PER_QUEUE):
        user = users.objects.create(
            username=f"svc-{queue.pk}-{k + 1}", password=make_password(None)
        )
        Profile.objects.create(
            user=user, display_name=f"{queue.name}客服{k + 1}", branch=branch,
            roles=[Role.SERVICE_AGENT.value],
        )  # fmt: skip
        made.append(user.pk)
    queue.members.add(*made)
    return made


def _queues() -> tuple[ServiceQueue, dict[str, ServiceQueue], dict[int, list[int]]]:
    queues: dict[str, ServiceQueue] = {}
    for kind in Department:
        queues[kind.value] = ServiceQueue.objects.get_or_create(
            name=f"总行{kind.label}", defaults={"kind": kind.value}
        )[0]
    agents = {q.pk: _agents(q, None) for q in queues.values()}
    return queues[Department.SERVICE_DESK], queues, agents


def _categories(queues: dict[str, ServiceQueue]) -> tuple[list[CaseCategory], dict[int, str]]:
    leaves, departments = [], {}
    for code, (name, name_en, kind, children) in CATEGORIES.items():
        parent = CaseCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )[0]
        for child_code, (child, child_en) in children.items():
            leaf = CaseCategory.objects.get_or_create(
                code=child_code,
                defaults={"name": child, "name_en": child_en, "parent": parent,
                          "default_queue": queues[kind]},
            )[0]  # fmt: skip
            leaves.append(leaf)
            departments[leaf.pk] = kind.value
    return leaves, departments


def _root_causes() -> list[int]:
    leaves = []
    for code, (name, name_en, children) in ROOT_CAUSES.items():
        parent = RootCause.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )[0]
        for child_code, child in children.items():
            leaves.append(
                RootCause.objects.get_or_create(
                    code=child_code, defaults={"name": child, "parent": parent}
                )[0].pk
            )
    return leaves


def desk_setup() -> DeskSetup:
    """The service desk's reference data, made where missing."""
    viewer = policy.Viewer.system()
    calendar = _calendar(viewer)
    _policies(viewer, calendar)
    desk, queues, agents = _queues()
    leaves, departments = _categories(queues)
    return DeskSetup(calendar, desk, queues, agents, leaves, departments, _root_causes())
