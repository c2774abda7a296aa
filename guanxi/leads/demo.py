"""Demo leads for ``guanxi demo-data --leads N``, written in bulk.

Names from Faker's zh_CN lists, valid mobile numbers, sources weighted as a bank sees them
(walk-ins and referrals first), referrers among existing customers, owners among each
branch's account managers (a tenth left for the branch to assign), statuses mostly early,
and the score and its reasons as the default rules give them. One row of status history
and, for owned leads, one of assignment history each.
"""

from datetime import timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.demo.identities import mobile_numbers
from guanxi.demo.names import NamePool
from guanxi.leads import scoring
from guanxi.leads.models import (
    AssignmentMethod,
    Lead,
    LeadAssignment,
    LeadSource,
    LeadStatus,
    LeadStatusChange,
)
from guanxi.org.models import Branch, Profile

SOURCES = (
    (LeadSource.WALK_IN, 0.3),
    (LeadSource.REFERRAL, 0.2),
    (LeadSource.PHONE, 0.15),
    (LeadSource.WEB_FORM, 0.15),
    (LeadSource.CAMPAIGN, 0.1),
    (LeadSource.EVENT, 0.1),
)
STATUSES = (
    (LeadStatus.NEW, 0.3),
    (LeadStatus.CONTACTED, 0.25),
    (LeadStatus.QUALIFIED, 0.15),
    (LeadStatus.DISQUALIFIED, 0.1),
    (LeadStatus.KEPT, 0.1),
    (LeadStatus.CONVERTED, 0.1),
)
COMPANIES = ("华信科技有限公司", "东方贸易有限公司", "长江物流股份有限公司", "星河餐饮管理有限公司",
             "恒达建材有限公司", "明德教育咨询有限公司", "")  # fmt: skip
INDUSTRIES = ("制造业", "批发零售", "信息技术", "餐饮", "建筑", "教育", "")
CAMPAIGNS = ("春季理财节", "养老金融讲座", "新春存款季", "企业主沙龙")
TERRITORIES = ("东城", "西城", "朝阳", "海淀", "浦东", "徐汇")
REASONS = {LeadStatus.DISQUALIFIED: "无购买需求", LeadStatus.KEPT: "资金明年到期，届时再联系"}


def _pick(rng: np.random.Generator, weighted, size: int) -> list:
    values, weights = zip(*weighted, strict=True)
    at = rng.choice(len(values), size, p=np.array(weights) / sum(weights))
    return [values[i] for i in at.tolist()]


def _owners_by_branch() -> dict[int, list[int]]:
    owners: dict[int, list[int]] = {}
    for profile in Profile.objects.filter(user__is_active=True, branch__isnull=False):
        if "account_manager" in profile.roles:
            owners.setdefault(profile.branch_id, []).append(profile.user_id)
    return owners


def load_demo_leads(count: int, seed: int = 42, batch_size: int = 20_000) -> int:
    """Write ``count`` leads; returns how many (none without a branch)."""
    branches = list(Branch.objects.order_by("id").values_list("id", flat=True))
    if not branches or count < 1:
        return 0
    owners = _owners_by_branch()
    referrers = list(Customer.objects.order_by("id").values_list("id", flat=True)[:10_000])
    rng = np.random.default_rng([seed, 13])
    names = NamePool()
    points = scoring.weights()
    now = timezone.now()
    written = 0
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        surnames, given = names.draw(rng, rng.random(size) < 0.5)
        phones, _last4 = mobile_numbers(rng, size)
        sources = _pick(rng, SOURCES, size)
        statuses = _pick(rng, STATUSES, size)
        branch_at = rng.integers(0, len(branches), size)
        age_hours = rng.integers(1, 24 * 120, size)
        batch = []
        for i in range(size):
            branch_id = branches[branch_at[i]]
            local = owners.get(branch_id, [])
            owner_id = local[int(rng.integers(0, len(local)))] if local and i % 10 else None
            status = statuses[i] if owner_id else LeadStatus.NEW
            created_at = now - timedelta(hours=int(age_hours[i]))
            referral = sources[i] == LeadSource.REFERRAL and bool(referrers)
            lead = Lead(
                name=f"{surnames[i]}{given[i]}",
                phone=str(phones[i]),
                company=COMPANIES[i % len(COMPANIES)],
                industry=INDUSTRIES[i % len(INDUSTRIES)],
                branch_id=branch_id,
                territory=TERRITORIES[i % len(TERRITORIES)],
                source=sources[i],
                referrer_id=referrers[int(rng.integers(0, len(referrers)))] if referral else None,
                campaign=CAMPAIGNS[i % len(CAMPAIGNS)]
                if sources[i] in (LeadSource.CAMPAIGN, LeadSource.EVENT)
                else "",
                owner_id=owner_id,
                status=status,
                status_reason=REASONS.get(status, ""),
                first_response_at=None
                if status == LeadStatus.NEW
                else created_at + timedelta(hours=int(i % 30) + 1),
                created_by_id=owner_id,
                created_at=created_at,
            )
            lead.score, lead.score_reasons = scoring.score(lead, points)
            batch.append(lead)
        with transaction.atomic():
            made = Lead.objects.bulk_create(batch, batch_size=2_000)
            LeadStatusChange.objects.bulk_create(
                (
                    LeadStatusChange(
                        lead_id=x.pk, to_status=x.status, changed_at=x.created_at,
                        changed_by_id=x.owner_id,
                    )
                    for x in made
                ),
                batch_size=2_000,
            )  # fmt: skip
            LeadAssignment.objects.bulk_create(
                (
                    LeadAssignment(
                        lead_id=x.pk, to_owner_id=x.owner_id, method=AssignmentMethod.CREATOR,
                        assigned_at=x.created_at, assigned_by_id=x.owner_id,
                    )
                    for x in made
                    if x.owner_id
                ),
                batch_size=2_000,
            )  # fmt: skip
        written += size
    return written
