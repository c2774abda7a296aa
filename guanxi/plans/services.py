"""Writing plans: make one, change its note and targets, add and remove planned contacts,
and review a week.

Every function takes the acting ``Viewer``, fetches through the scoped selectors (a plan
out of scope is missing), asks the policy, and writes its change, an audit entry and a
domain event in one transaction. Every change to a plan carries the version read and moves
it on, so two people editing one plan cannot overwrite each other.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record
from guanxi.concurrency import DuplicateValue, save_if_version, unique_or_conflict
from guanxi.core.events import publish
from guanxi.customers.models import Customer
from guanxi.org.models import Profile
from guanxi.plans import events
from guanxi.plans.models import (
    ItemReview,
    Plan,
    PlanItem,
    PlannedKind,
    PlanPeriod,
    PlanTarget,
    ReviewChange,
    TargetMetric,
)
from guanxi.plans.periods import period_bounds
from guanxi.plans.selectors import plan_get_editable_for_user, plans_in_scope
from guanxi.storable import EARLIEST_DATE, LATEST_DATE, MONEY_LIMIT

CENTS = Decimal("0.01")
# Targets that count things are whole numbers; the others are amounts in yuan.
COUNTED = frozenset(TargetMetric.values) - {TargetMetric.WON_AMOUNT}


def _choose(name: str, value: object, allowed: list[str], errors: dict) -> None:
    if value not in allowed:
        errors[name] = [_("Choose one of: %s.") % ", ".join(allowed)]


def _clean_targets(targets: object, errors: dict) -> dict[str, Decimal]:
    """The targets by metric: known metrics, amounts that fit, counts whole."""
    if not isinstance(targets, dict):
        errors["targets"] = [_("Give the targets as metric: value.")]
        return {}
    cleaned: dict[str, Decimal] = {}
    for metric, value in targets.items():
        name = f"targets.{metric}"
        if metric not in TargetMetric.values:
            errors[name] = [_("Choose one of: %s.") % ", ".join(TargetMetric.values)]
        elif not isinstance(value, Decimal | int) or isinstance(value, bool):
            errors[name] = [_("Give a number.")]
        elif not Decimal(value).is_finite() or not 0 <= Decimal(value) < MONEY_LIMIT:
            errors[name] = [
                _("Give a target between 0 and %(limit)s.") % {"limit": f"{MONEY_LIMIT:,}"}
            ]
        elif metric in COUNTED and Decimal(value) != Decimal(value).to_integral_value():
            errors[name] = [_("This target counts things: give a whole number.")]
        elif Decimal(value) != Decimal(value).quantize(CENTS):
            errors[name] = [_("Give at most two decimals.")]
        else:
            cleaned[metric] = Decimal(value).quantize(CENTS)
    return cleaned


def _clean_text(name: str, value: object, limit: int, errors: dict) -> str:
    if not isinstance(value, str):
        errors[name] = [_("Give a text.")]
        return ""
    text = value.strip()
    if len(text) > limit:
        errors[name] = [_("Keep it under %(n)s characters.") % {"n": limit + 1}]
    return text


def _owner_profile(viewer: policy.Viewer, owner_id: object, errors: dict) -> Profile | None:
    """The plan's owner: an active account manager (or team lead) within the viewer's reach."""
    if not isinstance(owner_id, int) or isinstance(owner_id, bool):
        errors["owner_id"] = [_("Choose the account manager whose plan it is.")]
        return None
    profile = Profile.objects.filter(user_id=owner_id, user__is_active=True).first()
    if profile is None or not policy.allows(viewer, "plan.owner", profile):
        errors["owner_id"] = [_("There is no such colleague within your reach.")]
    elif not policy.may_own_customers(profile.roles) or profile.branch_id is None:
        errors["owner_id"] = [_("Plans are made for account managers of a branch.")]
    else:
        return profile
    return None


def _targets_audited(targets: dict[str, Decimal]) -> dict[str, str]:
    return {metric: str(value) for metric, value in sorted(targets.items())}


def plan_create(
    *,
    viewer: policy.Viewer,
    period: str,
    day: dt.date,
    context: RequestContext,
    owner_id: int | None = None,
    note: str = "",
    targets: dict[str, Decimal] | None = None,
) -> Plan:
    """Make the week or month plan holding ``day`` for an account manager (the viewer when
    no owner is named). A second plan for the same owner and period is a conflict naming
    the one there."""
    policy.require(viewer, "plan.create")
    errors: dict = {}
    _choose("period", period, PlanPeriod.values, errors)
    if not isinstance(day, dt.date) or not EARLIEST_DATE <= day <= LATEST_DATE:
        errors["starts_on"] = [
            _("Give a date between %(a)s and %(b)s.") % {"a": EARLIEST_DATE, "b": LATEST_DATE}
        ]
    profile = _owner_profile(viewer, viewer.user_id if owner_id is None else owner_id, errors)
    note = _clean_text("note", note, 1000, errors)
    cleaned_targets = _clean_targets(targets or {}, errors)
    if errors:
        raise ValidationError(errors)
    assert profile is not None and profile.branch_id is not None
    first, last = period_bounds(period, day)
    plan = Plan(
        owner_id=profile.user_id, branch_id=profile.branch_id, period=period, starts_on=first,
        ends_on=last, note=note, created_by_id=viewer.user_id,
    )  # fmt: skip
    if not policy.allows(viewer, "plan.create", plan):
        raise ValidationError({"owner_id": [_("You cannot make a plan for this colleague.")]})
    existing = Plan.objects.filter(owner_id=plan.owner_id, period=period, starts_on=first)
    taken = _("There is a plan for this period already.")
    if existing.exists():
        visible = plans_in_scope(viewer).filter(pk__in=existing.values("pk")).first()
        raise DuplicateValue("starts_on", taken, visible.pk if visible else None)
    with unique_or_conflict("starts_on", taken), transaction.atomic():
        plan.save()
        PlanTarget.objects.bulk_create(
            PlanTarget(plan=plan, metric=m, target=v) for m, v in cleaned_targets.items()
        )
        values = {
            "owner_id": plan.owner_id, "period": period, "starts_on": first.isoformat(),
            "ends_on": last.isoformat(), "note": note,
            "targets": _targets_audited(cleaned_targets) or None,
        }  # fmt: skip
        record(
            viewer.user, AuditAction.CREATE, "plan", [plan.pk],
            sorted(k for k, v in values.items() if v not in (None, "")), context,
            changes=created(values), name=str(plan),
        )  # fmt: skip
        publish(
            events.PlanCreated(owner_id=plan.owner_id, period=period, starts_on=first),
            actor=viewer.user,
            record=plan,
        )
    return plan


def _changed(
    viewer: policy.Viewer,
    plan: Plan,
    diff: dict,
    context: RequestContext,
    customers: list[int] | None = None,
) -> None:
    """Audit and publish a change of ``plan`` (inside the caller's transaction)."""
    record(
        viewer.user, AuditAction.UPDATE, "plan", [plan.pk], sorted(diff), context,
        changes=diff, name=str(plan), customers=customers or [],
    )  # fmt: skip
    publish(events.PlanChanged(fields=sorted(diff)), actor=viewer.user, record=plan)


def plan_update(
    *,
    viewer: policy.Viewer,
    plan_id: int,
    expected_version: int,
    context: RequestContext,
    note: str | None = None,
    targets: dict[str, Decimal] | None = None,
) -> Plan:
    """Change a plan's note and/or replace its targets (a metric left out has none any
    more); a stale version changes nothing."""
    plan = plan_get_editable_for_user(viewer=viewer, plan_id=plan_id)
    errors: dict = {}
    new_note = plan.note if note is None else _clean_text("note", note, 1000, errors)
    new_targets = None if targets is None else _clean_targets(targets, errors)
    if errors:
        raise ValidationError(errors)
    diff: dict = {}
    if new_note != plan.note:
        diff["note"] = [plan.note, new_note]
        plan.note = new_note
    old_targets = {t.metric: t.target for t in plan.targets.all()}
    if new_targets is not None and new_targets != old_targets:
        diff["targets"] = [_targets_audited(old_targets), _targets_audited(new_targets)]
    with transaction.atomic():
        save_if_version(plan, expected_version, ["note"])
        if "targets" in diff and new_targets is not None:
            plan.targets.all().delete()
            PlanTarget.objects.bulk_create(
                PlanTarget(plan=plan, metric=m, target=v) for m, v in new_targets.items()
            )
        if diff:
            _changed(viewer, plan, diff, context)
    return plan


def _plannable_customer(
    viewer: policy.Viewer, plan: Plan, customer_id: object, errors: dict
) -> Customer | None:
    """A customer of the plan owner's portfolio that the viewer may see too."""
    if not isinstance(customer_id, int) or isinstance(customer_id, bool):
        errors["customer_id"] = [_("Name the customer by its ID.")]
        return None
    owner = policy.Viewer.of(plan.owner)
    customers = policy.customer_scope(owner, policy.customer_scope(viewer, Customer.objects.all()))
    found = customers.filter(pk=customer_id).first()
    if found is None:
        errors["customer_id"] = [_("There is no such customer in the plan owner's portfolio.")]
    return found


def plan_item_add(
    *,
    viewer: policy.Viewer,
    plan_id: int,
    expected_version: int,
    customer_id: int,
    kind: str,
    context: RequestContext,
    planned_on: dt.date | None = None,
    purpose: str = "",
) -> PlanItem:
    """Plan a visit, call or meeting with a customer of the owner's portfolio, on a day of
    the plan's period or (no day) any time in it."""
    plan = plan_get_editable_for_user(viewer=viewer, plan_id=plan_id)
    errors: dict = {}
    customer = _plannable_customer(viewer, plan, customer_id, errors)
    _choose("kind", kind, PlannedKind.values, errors)
    if planned_on is not None and not (
        isinstance(planned_on, dt.date) and plan.starts_on <= planned_on <= plan.ends_on
    ):
        errors["planned_on"] = [
            _("Choose a day from %(a)s to %(b)s.") % {"a": plan.starts_on, "b": plan.ends_on}
        ]
    purpose = _clean_text("purpose", purpose, 300, errors)
    if errors:
        raise ValidationError(errors)
    assert customer is not None
    item = PlanItem(plan=plan, customer=customer, kind=kind, planned_on=planned_on, purpose=purpose)
    with transaction.atomic():
        save_if_version(plan, expected_version, [])
        item.save()
        added = {"customer_id": customer.pk, "kind": kind,
                 "planned_on": planned_on.isoformat() if planned_on else None}  # fmt: skip
        _changed(viewer, plan, {"items": [None, added]}, context, [customer.pk])
    return item


def plan_item_remove(
    *,
    viewer: policy.Viewer,
    plan_id: int,
    item_id: int,
    expected_version: int,
    context: RequestContext,
) -> Plan:
    """Take a planned contact off the plan (an item of another plan is missing)."""
    plan = plan_get_editable_for_user(viewer=viewer, plan_id=plan_id)
    item = PlanItem.objects.get(plan=plan, pk=item_id)
    removed = {"customer_id": item.customer_id, "kind": item.kind,
               "planned_on": item.planned_on.isoformat() if item.planned_on else None}  # fmt: skip
    with transaction.atomic():
        save_if_version(plan, expected_version, [])
        item.delete()
        _changed(viewer, plan, {"items": [removed, None]}, context, [item.customer_id])
    return plan


@dataclass(frozen=True)
class ReviewLine:
    """The review of one planned contact: what changed for its customer, and a note."""

    item_id: int
    change: str
    note: str = ""


def plan_review(
    *,
    viewer: policy.Viewer,
    plan_id: int,
    expected_version: int,
    lines: list[ReviewLine],
    context: RequestContext,
) -> Plan:
    """Review a week: for each planned contact named, whether its customer's lifecycle stage
    or an opportunity's stage moved, or nothing did, with a note. Reviewing again replaces
    the lines named; who reviewed and when is kept on the plan and on each line."""
    plan = plan_get_editable_for_user(viewer=viewer, plan_id=plan_id, action="plan.review")
    errors: dict = {}
    if plan.period != PlanPeriod.WEEK:
        errors["period"] = [_("Week plans are reviewed; a month shows its completion.")]
    items = {i.pk: i for i in PlanItem.objects.filter(plan=plan)}
    notes = {}
    for index, line in enumerate(lines):
        if line.item_id not in items:
            errors[f"lines.{index}.item_id"] = [_("This contact is not planned in this plan.")]
        _choose(f"lines.{index}.change", line.change, ReviewChange.values, errors)
        notes[index] = _clean_text(f"lines.{index}.note", line.note, 500, errors)
    if not lines:
        errors["lines"] = [_("Review at least one planned contact.")]
    if len({line.item_id for line in lines}) != len(lines):
        errors["lines"] = [_("Review each planned contact once.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    plan.reviewed_at, plan.reviewed_by_id = now, viewer.user_id
    with transaction.atomic():
        save_if_version(plan, expected_version, ["reviewed_at", "reviewed_by_id"])
        for index, line in enumerate(lines):
            ItemReview.objects.update_or_create(
                item_id=line.item_id,
                defaults={"change": line.change, "note": notes[index],
                          "reviewed_by_id": viewer.user_id, "reviewed_at": now},
            )  # fmt: skip
        reviewed = {str(line.item_id): line.change for line in lines}
        customers = sorted({items[line.item_id].customer_id for line in lines})
        record(
            viewer.user, AuditAction.UPDATE, "plan", [plan.pk], ["reviews"], context,
            changes={"reviews": [None, reviewed]}, name=str(plan), customers=customers,
        )  # fmt: skip
        moved = sorted({items[line.item_id].customer_id for line in lines if line.change != "none"})
        publish(events.PlanReviewed(moved_customer_ids=moved), actor=viewer.user, record=plan)
    return plan
