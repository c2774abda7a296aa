"""SLA policies: writing them (administrators), choosing the one a case gets, and its
deadlines on the policy's working calendar.

A policy is keyed by case type × priority × value tier (blank: any tier). The most specific
policy matching a case applies: a tier's own policy beats the any-tier one, which is how
higher tiers get the faster "green channel".
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record
from guanxi.concurrency import DuplicateValue, save_if_version, unique_or_conflict
from guanxi.customers.models import ValueTier
from guanxi.service.case_types import CasePriority, CaseType
from guanxi.service.loader import uncovered_error, working_time_for
from guanxi.service.models import SlaPolicy, WorkingCalendar
from guanxi.service.selectors import sla_policy_get_for_user
from guanxi.service.working_time import NoWorkingTime, UncoveredYear

# A year of round-the-clock minutes: longer targets are typing mistakes.
MAX_MINUTES = 366 * 24 * 60
DUPLICATE = gettext_lazy("A policy for this case type, priority and tier exists already.")


def _choose(name: str, value: object, allowed: list[str], errors: dict) -> None:
    if value not in allowed:
        errors[name] = [_("Choose one of: %s.") % ", ".join(v or '""' for v in allowed)]


def _minutes(name: str, value: object, errors: dict) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_MINUTES:
        errors[name] = [
            _("Give whole working minutes from 1 to %(max)s.") % {"max": f"{MAX_MINUTES:,}"}
        ]


def _clean(values: dict, errors: dict) -> None:
    """Check the fields given (all of them for a new policy, with their current values
    for the rest of an update)."""
    _choose("case_type", values["case_type"], CaseType.values, errors)
    _choose("priority", values["priority"], CasePriority.values, errors)
    _choose("value_tier", values["value_tier"], ["", *ValueTier.values], errors)
    _minutes("first_response_minutes", values["first_response_minutes"], errors)
    _minutes("resolution_minutes", values["resolution_minutes"], errors)
    first, resolution = values["first_response_minutes"], values["resolution_minutes"]
    if not errors.keys() & {"first_response_minutes", "resolution_minutes"} and (
        first > resolution
    ):
        errors["first_response_minutes"] = [_("The first response cannot come after resolution.")]
    calendar_id = values["calendar_id"]
    valid_id = isinstance(calendar_id, int) and not isinstance(calendar_id, bool)
    if not valid_id or not WorkingCalendar.objects.filter(pk=calendar_id).exists():
        errors["calendar_id"] = [_("There is no working calendar with this ID.")]
    if errors:
        raise ValidationError(errors)


def _taken(values: dict, exclude_id: int | None = None) -> None:
    key = {k: values[k] for k in ("case_type", "priority", "value_tier")}
    others = SlaPolicy.objects.filter(**key)
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    existing = others.values_list("pk", flat=True).first()
    if existing is not None:
        raise DuplicateValue("value_tier", str(DUPLICATE), existing_id=existing)


FIELDS = (
    "case_type",
    "priority",
    "value_tier",
    "first_response_minutes",
    "resolution_minutes",
    "calendar_id",
)


def sla_policy_create(
    *,
    viewer: policy.Viewer,
    case_type: str,
    priority: str,
    first_response_minutes: int,
    resolution_minutes: int,
    calendar_id: int,
    context: RequestContext,
    value_tier: str = "",
) -> SlaPolicy:
    """Add a policy (administrators); audited."""
    policy.require(viewer, "sla_policy.manage")
    values = {
        "case_type": case_type,
        "priority": priority,
        "value_tier": value_tier,
        "first_response_minutes": first_response_minutes,
        "resolution_minutes": resolution_minutes,
        "calendar_id": calendar_id,
    }
    _clean(values, {})
    _taken(values)
    with unique_or_conflict("value_tier", str(DUPLICATE)):
        found = SlaPolicy.objects.create(**values)
        record(
            viewer.user, AuditAction.CREATE, "sla_policy", [found.pk], list(FIELDS), context,
            changes=created(values), name=str(found),
        )  # fmt: skip
    return found


def sla_policy_update(
    *,
    viewer: policy.Viewer,
    policy_id: int,
    changes: dict,
    expected_version: int,
    context: RequestContext,
) -> SlaPolicy:
    """Change fields of a policy (administrators; ``changes`` by field name, of
    ``FIELDS``). A stale version changes nothing. Audited."""
    policy.require(viewer, "sla_policy.manage")
    found = sla_policy_get_for_user(viewer=viewer, policy_id=policy_id)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    values = {name: changes.get(name, getattr(found, name)) for name in FIELDS}
    _clean(values, {})
    _taken(values, exclude_id=found.pk)
    diff = {k: [getattr(found, k), v] for k, v in values.items() if getattr(found, k) != v}
    with unique_or_conflict("value_tier", str(DUPLICATE)):
        for name, value in values.items():
            setattr(found, name, value)
        save_if_version(found, expected_version, list(diff))
        record(
            viewer.user, AuditAction.UPDATE, "sla_policy", [found.pk], sorted(diff), context,
            changes=diff, name=str(found),
        )  # fmt: skip
    found.refresh_from_db()
    return found


def sla_policy_resolve(*, case_type: str, priority: str, value_tier: str) -> SlaPolicy | None:
    """The policy a case of this type, priority and customer tier gets: the tier's own,
    else the any-tier one, else none."""
    matching = SlaPolicy.objects.filter(
        case_type=case_type, priority=priority, value_tier__in=[value_tier, ""]
    ).select_related("calendar")
    # Descending, the blank (any-tier) policy comes last: the tier's own one wins.
    return matching.order_by("-value_tier").first()


@dataclass(frozen=True)
class Deadlines:
    """When a case must first be answered and resolved (UTC)."""

    first_response: datetime
    resolution: datetime


def sla_deadlines(*, sla_policy: SlaPolicy, received_at: datetime) -> Deadlines:
    """The deadlines of a case received at ``received_at`` under ``sla_policy``; a
    deadline in a year without holiday data is a ``ValidationError`` naming the date."""
    engine = working_time_for(sla_policy.calendar)
    try:
        return Deadlines(
            first_response=engine.deadline_after(
                received_at, timedelta(minutes=sla_policy.first_response_minutes)
            ),
            resolution=engine.deadline_after(
                received_at, timedelta(minutes=sla_policy.resolution_minutes)
            ),
        )
    except UncoveredYear as exc:
        raise uncovered_error(exc, "received_at") from exc
    except NoWorkingTime as exc:
        message = _("The policy's working calendar has no working time ahead.")
        raise ValidationError({"calendar_id": [message]}) from exc
