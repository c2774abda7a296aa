"""Follow-up visits (回访): scheduled by rule, one task each on the owner's my day, and
their outcomes.

Three rules schedule them, in one mechanism:

* a new customer gets a call within ``days`` of becoming a customer (default 90);
* a customer of a value tier with a contact rule (``guanxi.activities.contact_rules``)
  who was not contacted as often as it asks gets a periodic visit (of the rule's kind),
  due within a week, unless one is still open;
* a closed complaint gets a follow-up of the customer's reaction ``days`` working days
  after the closing on the case's calendar (``guanxi.service.handlers``).

``follow_ups_generate`` is what the command and the background task run: idempotent
(each visit has a unique occasion per customer), and it finds the customers due by
indexed queries (customers since a day; a tier's customers with no recent contact), never
by loading every customer.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities import contact_rules
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import ActivityKind, ActivityStatus
from guanxi.activities.services import activity_log, task_complete
from guanxi.audit.models import AuditAction
from guanxi.audit.services import TASK_CONTEXT, RequestContext, record
from guanxi.concurrency import VersionConflict, save_if_version
from guanxi.customers.models import Customer
from guanxi.policy.care import Through
from guanxi.service.care_models import FollowUp, FollowUpOutcome, FollowUpReason, FollowUpRule
from guanxi.service.config import service_setting

log = logging.getLogger(__name__)
R = FollowUpReason
NEW_CUSTOMER_DAYS = 90
PERIODIC_WITHIN_DAYS = 7
MAX_DAYS = 3650
BATCH = 500


@dataclass(frozen=True)
class RuleInForce:
    """A follow-up reason's setting as it applies (version 0: the default)."""

    reason: str
    days: int
    active: bool = True
    version: int = 0


def _default_days(reason: str) -> int:
    if reason == R.COMPLAINT:
        return int(service_setting("follow_up_working_days"))
    return NEW_CUSTOMER_DAYS


def follow_up_rule(reason: str) -> RuleInForce:
    """The setting of one reason (the administrator's, else the default)."""
    stored = FollowUpRule.objects.filter(reason=reason).first()
    if stored is None:
        return RuleInForce(reason, _default_days(reason))
    return RuleInForce(reason, stored.days, stored.active, stored.version)


def follow_up_rules_for_user(*, viewer: policy.Viewer) -> list[RuleInForce]:
    """The settings of the new-customer and complaint reasons."""
    policy.require(viewer, "follow_up_rule.view")
    return [follow_up_rule(r) for r in (R.NEW_CUSTOMER, R.COMPLAINT)]


def follow_up_rule_set(
    *,
    viewer: policy.Viewer,
    reason: str,
    days: int,
    active: bool,
    expected_version: int,
    context: RequestContext,
) -> RuleInForce:
    """Set a reason's days and whether it schedules visits (administrators); version 0 for
    a reason still on its default. Audited. Periodic visits are set as contact rules."""
    policy.require(viewer, "follow_up_rule.manage")
    errors = {}
    if reason not in (R.NEW_CUSTOMER, R.COMPLAINT):
        errors["reason"] = [_("Choose one of: %s.") % ", ".join((R.NEW_CUSTOMER, R.COMPLAINT))]
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = [_("Give a number of days from 1 to %(max)s.") % {"max": MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stored = FollowUpRule.objects.select_for_update().filter(reason=reason).first()
        old = None
        if stored is None:
            if expected_version != 0:
                raise VersionConflict(0)
            stored = FollowUpRule.objects.create(reason=reason, days=days, active=active)
        else:
            old = [stored.days, stored.active]
            stored.days, stored.active = days, active
            save_if_version(stored, expected_version, ["days", "active"])
        record(
            viewer.user, AuditAction.UPDATE if old else AuditAction.CREATE, "follow_up_rule",
            [stored.pk], ["days", "active"], context,
            changes={"days": [old[0] if old else None, days],
                     "active": [old[1] if old else None, active]},
            name=reason,
        )  # fmt: skip
    return RuleInForce(reason, days, active, stored.version)


def follow_up_schedule(
    *,
    customer_id: int,
    reason: str,
    occasion: str,
    fields: ActivityFields,
    people: Sequence[int | None],
) -> FollowUp | None:
    """Log the visit's task as the first of ``people`` who may (the customer's account
    manager first), through the activities' own service, and keep why: None when it was
    scheduled before for this occasion, or nobody may take it."""
    if FollowUp.objects.filter(customer_id=customer_id, occasion=occasion).exists():
        return None
    users = get_user_model().objects.select_related("profile")
    for user_id in dict.fromkeys(p for p in people if p is not None):
        user = users.filter(pk=user_id, is_active=True).first()
        if user is None:
            continue
        try:
            with transaction.atomic():
                activity = activity_log(
                    viewer=policy.Viewer.of(user), fields=fields, context=TASK_CONTEXT
                )
                return FollowUp.objects.create(
                    customer_id=customer_id, activity=activity, reason=reason, occasion=occasion
                )
        except (PermissionDenied, ValidationError):
            continue  # this person may not log it (a service agent): the next one
        except IntegrityError:
            return None  # scheduled meanwhile by another run
    log.warning("follow-up %s of customer %s has nobody to do it", occasion, customer_id)
    return None


@dataclass(frozen=True)
class GenerateReport:
    new_customers: int = 0
    periodic: int = 0


def _since(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def _new_customers(today: date) -> int:
    rule = follow_up_rule(R.NEW_CUSTOMER)
    if not rule.active:
        return 0
    scheduled = FollowUp.objects.filter(customer_id=OuterRef("pk"), occasion="new")
    due = (
        Customer.objects.filter(created_at__gte=_since(today - timedelta(days=rule.days)))
        .filter(owner_id__isnull=False)
        .exclude(Exists(scheduled))
        .only("id", "name", "owner_id", "created_at")
        .order_by("created_at", "id")
    )
    made = 0
    for customer in due.iterator(chunk_size=BATCH):
        since = timezone.localdate(customer.created_at)
        fields = ActivityFields(
            kind=ActivityKind.CALL,
            status=ActivityStatus.OPEN,
            customer_id=customer.pk,
            subject=_("Follow-up visit: new customer %(name)s") % {"name": customer.name},
            description=_(
                "Call the new customer within %(days)s days of opening: are they settled in, "
                "is anything unclear or missing?"
            )
            % {"days": rule.days},
            due_on=max(today, since + timedelta(days=rule.days)),
        )
        made += bool(
            follow_up_schedule(
                customer_id=customer.pk, reason=R.NEW_CUSTOMER, occasion="new", fields=fields,
                people=[customer.owner_id],
            )
        )  # fmt: skip
    return made


def _periodic(today: date) -> int:
    made = 0
    for rule in contact_rules.contact_rules():
        # Neglected by the rule (the same condition as my day's list), and no periodic
        # visit still open.
        open_visit = FollowUp.objects.filter(
            customer_id=OuterRef("pk"), reason=R.PERIODIC, activity__status=ActivityStatus.OPEN
        )
        due = (
            Customer.objects.filter(value_tier=rule.value_tier, owner_id__isnull=False)
            .filter(contact_rules.neglected_condition([rule]))
            .exclude(Exists(open_visit))
            .only("id", "name", "owner_id")
            .order_by("id")
        )
        occasion = f"periodic:{today.isoformat()}"
        for customer in due.iterator(chunk_size=BATCH):
            fields = ActivityFields(
                kind=rule.kind,
                status=ActivityStatus.OPEN,
                customer_id=customer.pk,
                subject=_("Follow-up visit: %(tier)s customer %(name)s")
                % {"tier": rule.tier_label, "name": customer.name},
                description=_("%(tier)s customers are contacted every %(days)s days.")
                % {"tier": rule.tier_label, "days": rule.every_days},
                due_on=today + timedelta(days=min(PERIODIC_WITHIN_DAYS, rule.every_days)),
            )
            made += bool(
                follow_up_schedule(
                    customer_id=customer.pk, reason=R.PERIODIC, occasion=occasion,
                    fields=fields, people=[customer.owner_id],
                )
            )  # fmt: skip
    return made


def follow_ups_generate(*, today: date | None = None) -> GenerateReport:
    """Schedule every follow-up visit due by the new-customer and periodic rules that is
    not scheduled yet (run daily; running it again schedules nothing new)."""
    today = today or timezone.localdate()
    return GenerateReport(new_customers=_new_customers(today), periodic=_periodic(today))


def follow_up_get_for_user(*, viewer: policy.Viewer, follow_up_id: int) -> FollowUp:
    """One follow-up the viewer may see (out of scope: not found)."""
    policy.require(viewer, "follow_up.view")
    found = policy.scoped(viewer, FollowUp.objects.all(), "follow_up.view")
    try:
        return found.select_related("activity", "customer").get(pk=follow_up_id)
    except FollowUp.DoesNotExist:
        raise ObjectDoesNotExist(_("Not found.")) from None


def follow_up_record(
    *,
    viewer: policy.Viewer,
    follow_up_id: int,
    outcome: str,
    expected_version: int,
    context: RequestContext,
    note: str = "",
) -> FollowUp:
    """Record a visit's outcome: reached, declined or an issue found completes its task
    (an issue found also opens a service request for the customer); not reached counts an
    attempt and keeps the task open. Audited; a stale version changes nothing."""
    follow_up = follow_up_get_for_user(viewer=viewer, follow_up_id=follow_up_id)
    policy.require(viewer, "follow_up.record", Through(follow_up.customer))
    if follow_up.version != expected_version:  # before anything is written
        raise VersionConflict(follow_up.version)
    errors: dict = {}
    if outcome not in FollowUpOutcome.values:
        errors["outcome"] = [_("Choose one of: %s.") % ", ".join(FollowUpOutcome.values)]
    elif follow_up.activity.status != ActivityStatus.OPEN:
        errors["outcome"] = [_("This follow-up visit is finished already.")]
    note = (note or "").strip()
    if len(note) > 2000:
        errors["note"] = [_("Keep the note under 2000 characters.")]
    if outcome == FollowUpOutcome.ISSUE_FOUND and not note:
        errors["note"] = [_("Describe the issue the customer raised.")]
    if errors:
        raise ValidationError(errors)
    from guanxi.service.cases import case_create  # cases import the handlers, which import us

    with transaction.atomic():
        old = follow_up.outcome
        follow_up.outcome = outcome
        changed = ["outcome"]
        if outcome == FollowUpOutcome.NOT_REACHED:
            follow_up.attempts += 1
            changed.append("attempts")
        else:
            task_complete(
                viewer=viewer, activity_id=follow_up.activity_id,
                expected_version=follow_up.activity.version,
                outcome=note or str(FollowUpOutcome(outcome).label), context=context,
            )  # fmt: skip
        if outcome == FollowUpOutcome.ISSUE_FOUND:
            case = case_create(
                viewer=viewer, customer_id=follow_up.customer_id, case_type="service_request",
                channel="hotline", priority="normal", context=context, description=note,
                subject=_("Issue found on a follow-up visit: %(note)s") % {"note": note[:80]},
            )  # fmt: skip
            follow_up.case = case
            changed.append("case")
        save_if_version(follow_up, expected_version, changed)
        record(
            viewer.user, AuditAction.UPDATE, "follow_up", [follow_up.pk], changed, context,
            changes={"outcome": [old, outcome]}, name=follow_up.occasion,
            customers=[follow_up.customer_id],
        )  # fmt: skip
    follow_up.refresh_from_db()
    return follow_up
