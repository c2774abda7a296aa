"""What the service domain does after its own events (see guanxi.core.events).

Closing a complaint (also one solved on the spot) schedules a follow-up of the customer's
reaction: a task for the customer's account manager — or the case's agent when the
customer has none — due a configured number of working days after the closing day on the
case's working calendar (``follow_up_working_days``, default 3). The task is logged
through the activities' own service, as that person, so it is scoped, audited and shows
on their my day like any other; the case keeps a link to it. It is a follow-up visit
like the ones the rules schedule (``guanxi.service.follow_ups``): the administrator's
complaint rule sets the number of days, or turns these visits off.

A holding's balance that moved by at least ``large_balance_change`` becomes a care
reminder for the customer's account manager (once per holding and day).
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import Activity, ActivityKind
from guanxi.core.events import Delivered, subscribe
from guanxi.customers.events import HoldingBalanceChanged
from guanxi.customers.models import Holding
from guanxi.service.care import care_balance_change
from guanxi.service.care_models import FollowUpReason
from guanxi.service.case_models import Case
from guanxi.service.case_types import CaseState, CaseType
from guanxi.service.follow_ups import follow_up_rule, follow_up_schedule
from guanxi.service.loader import working_time_for

WEEKEND = (5, 6)


def follow_up_due(case: Case, closed_on: date, count: int | None = None) -> date:
    """The follow-up's day: ``count`` working days (the complaint follow-up rule's) after
    ``closed_on`` on the case's calendar (its SLA policy's); Monday to Friday for a case
    without one."""
    if count is None:
        count = follow_up_rule(FollowUpReason.COMPLAINT).days
    if case.sla_policy is not None:
        return working_time_for(case.sla_policy.calendar).working_day_after(closed_on, count)
    day = closed_on
    while count:
        day = date.fromordinal(day.toordinal() + 1)
        count -= day.weekday() not in WEEKEND
    return day


def _handled(case: Case, delivered: Delivered) -> bool:
    """Whether this closing has its follow-up already (the event handled before)."""
    if case.follow_up_activity_id is None:
        return False
    logged = (
        Activity.objects.filter(pk=case.follow_up_activity_id)
        .values_list("created_at", flat=True)
        .first()
    )
    return logged is not None and logged >= delivered.occurred_at


def _people(case: Case) -> list[int]:
    return [pk for pk in (case.customer.owner_id, case.owner_id) if pk is not None]


@subscribe("case.state_changed", handler="service.complaint_follow_up")
def complaint_follow_up(delivered: Delivered) -> None:
    """Schedule the follow-up of a closed complaint (idempotent: once per closing)."""
    if getattr(delivered.event, "to_state", None) != CaseState.CLOSED:
        return
    rule = follow_up_rule(FollowUpReason.COMPLAINT)
    if not rule.active:
        return
    case = (
        Case.objects.select_related("customer", "sla_policy__calendar")
        .filter(pk=delivered.record_id, case_type=CaseType.COMPLAINT, state=CaseState.CLOSED)
        .first()
    )
    if case is None or _handled(case, delivered):
        return  # not a complaint, reopened since, or done already
    zone = (
        ZoneInfo(case.sla_policy.calendar.time_zone)
        if case.sla_policy
        else timezone.get_current_timezone()
    )
    closed_on = timezone.localtime(delivered.occurred_at, zone).date()
    fields = ActivityFields(
        kind=ActivityKind.TASK,
        customer_id=case.customer_id,
        subject=_("Follow up complaint %(number)s: the customer's reaction")
        % {"number": case.number},
        description=_(
            "Ask the customer how they feel about the handling of complaint %(number)s "
            "(%(subject)s)."
        )
        % {"number": case.number, "subject": case.subject},
        due_on=follow_up_due(case, closed_on, rule.days),
    )
    # One visit per closing: the closing's moment makes its occasion.
    occasion = f"complaint:{case.pk}:{delivered.occurred_at.timestamp():.0f}"
    follow_up = follow_up_schedule(
        customer_id=case.customer_id, reason=FollowUpReason.COMPLAINT, occasion=occasion,
        fields=fields, people=_people(case),
    )  # fmt: skip
    if follow_up is not None:
        Case.objects.filter(pk=case.pk).update(follow_up_activity=follow_up.activity_id)


from guanxi.service import survey_handlers  # noqa: E402,F401  (registers the survey handlers)


@subscribe("holding.balance_changed", handler="service.large_balance_change")
def large_balance_change(delivered: Delivered) -> None:
    """Keep a care reminder of a large balance change (idempotent: once per holding and day)."""
    event = delivered.event
    if not isinstance(event, HoldingBalanceChanged):
        return
    holding = Holding.objects.select_related("product").filter(pk=event.holding_id).first()
    if holding is None:
        return
    care_balance_change(
        holding=holding,
        old_balance=event.old_balance,
        new_balance=event.new_balance,
        on_date=timezone.localdate(delivered.occurred_at),
    )
