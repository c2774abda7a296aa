"""Contact rules: how often customers of each value tier must be contacted, and how; and the
customers a viewer has neglected by them.

Until an administrator sets a rule, ``DEFAULT_RULES`` apply: a visit every 30 days for
platinum customers, a call every 30 days for gold ones (the top two tiers; the others have
no rule). A visit rule is met by a visit or a meeting; a call rule by any of those or a call.
Only done activities count, by when they took place.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities.models import Activity, ActivityKind, ActivityStatus, ContactRule
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.concurrency import VersionConflict, save_if_version
from guanxi.customers.models import Customer, ValueTier

K = ActivityKind
# What meets a rule asking for each kind of contact.
MEETS: dict[str, tuple[str, ...]] = {
    K.VISIT: (K.VISIT, K.MEETING),
    K.MEETING: (K.VISIT, K.MEETING),
    K.CALL: (K.VISIT, K.MEETING, K.CALL),
}
MAX_DAYS = 3650


@dataclass(frozen=True)
class Rule:
    """One tier's rule as it applies."""

    value_tier: str
    every_days: int
    kind: str
    version: int = 0  # 0: the default, not stored yet

    @property
    def tier_label(self) -> str:
        return str(ValueTier(self.value_tier).label)

    @property
    def kind_label(self) -> str:
        return str(ActivityKind(self.kind).label)


DEFAULT_RULES = (
    Rule(ValueTier.PLATINUM, 30, K.VISIT),
    Rule(ValueTier.GOLD, 30, K.CALL),
)


def contact_rules() -> list[Rule]:
    """The rules in force, top tier first (stored ones replace the defaults)."""
    rules = {r.value_tier: r for r in DEFAULT_RULES}
    for stored in ContactRule.objects.all():
        rules[stored.value_tier] = Rule(
            stored.value_tier, stored.every_days, stored.kind, stored.version
        )
    order = list(ValueTier.values)
    return sorted(rules.values(), key=lambda r: order.index(r.value_tier))


def contact_rules_for_user(*, viewer: policy.Viewer) -> list[Rule]:
    """The rules, for a viewer who may read them."""
    policy.require(viewer, "contact_rule.view")
    return contact_rules()


def contact_rule_set(
    *,
    viewer: policy.Viewer,
    value_tier: str,
    every_days: int,
    kind: str,
    expected_version: int,
    context: RequestContext,
) -> Rule:
    """Set a tier's rule (administrators); ``expected_version`` 0 for a tier still on its
    default. Audited."""
    policy.require(viewer, "contact_rule.manage")
    errors = {}
    if value_tier not in ValueTier.values:
        errors["value_tier"] = [_("Choose one of: %s.") % ", ".join(ValueTier.values)]
    if kind not in MEETS:
        errors["kind"] = [_("Choose one of: %s.") % ", ".join(MEETS)]
    if not isinstance(every_days, int) or not 1 <= every_days <= MAX_DAYS:
        errors["every_days"] = [_("Give a number of days from 1 to %(max)s.") % {"max": MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stored = ContactRule.objects.filter(value_tier=value_tier).first()
        old = None
        if stored is None:
            if expected_version != 0:  # a tier on its default has version 0
                raise VersionConflict(0)
            stored = ContactRule.objects.create(
                value_tier=value_tier, every_days=every_days, kind=kind
            )
        else:
            old = [stored.every_days, stored.kind]
            stored.every_days, stored.kind = every_days, kind
            save_if_version(stored, expected_version, ["every_days", "kind"])
        record(
            viewer.user,
            AuditAction.UPDATE if old else AuditAction.CREATE,
            "contact_rule",
            [stored.pk],
            ["every_days", "kind"],
            context,
            changes={
                "every_days": [old[0] if old else None, every_days],
                "kind": [old[1] if old else None, kind],
            },
            name=value_tier,
        )
    return Rule(value_tier, every_days, kind, stored.version)


def neglected_condition(rules: list[Rule]) -> Q:
    """Customers of a rule's tier without a done contact of its kind within its days (the
    follow-up generator schedules periodic visits by it too)."""
    now = timezone.now()
    condition = Q(pk__in=[])
    for rule in rules:
        recent = Activity.objects.filter(
            customer_id=OuterRef("pk"),
            status=ActivityStatus.DONE,
            kind__in=MEETS.get(rule.kind, (rule.kind,)),
            starts_at__gte=now - timedelta(days=rule.every_days),
        )
        condition |= Q(Q(value_tier=rule.value_tier), ~Exists(recent))
    return condition


def neglected_customers(
    viewer: policy.Viewer, limit: int = 20, rules: list[Rule] | None = None
) -> list[Customer]:
    """Customers of the viewer's scope in a tier with a rule, whose last done contact of the
    kind the rule asks for is older than it allows (or who were never contacted): top tier
    first, the longest neglected first, each with ``last_contact`` (None: never).

    One query per tier, top tier first, until ``limit`` are found: with one tier a query
    reads the portfolio's customers of that tier along (owner, tier); the tiers' conditions
    ORed in one query made PostgreSQL intersect every customer of both tiers in the bank
    with the portfolio (97 ms for a team's; 8 ms a tier now).
    """
    rules = contact_rules() if rules is None else rules
    visible = policy.customer_scope(viewer, Customer.objects.all())
    # The newest done contact, read newest first along (customer, start): a join and MAX
    # read every activity of each neglected customer (a team lead has thousands of them).
    last_contact = (
        Activity.objects.filter(
            customer_id=OuterRef("pk"),
            status=ActivityStatus.DONE,
            kind__in=[K.VISIT, K.MEETING, K.CALL],
        )
        .order_by("-starts_at")
        .values("starts_at")
    )
    found: list[Customer] = []
    for rule in rules:
        if len(found) >= limit:
            break
        found += (
            visible.filter(value_tier=rule.value_tier)
            .filter(neglected_condition([rule]))
            .annotate(last_contact=Subquery(last_contact[:1]))
            .only("id", "name", "value_tier", "owner_id", "branch_id")
            .order_by(F("last_contact").asc(nulls_first=True), "id")[: limit - len(found)]
        )
    return found
