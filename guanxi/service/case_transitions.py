"""Moving a case from state to state as ``guanxi.service.workflow`` allows, with the
complaint rules and the SLA clock.

* The first move out of ``new`` is the case's first response.
* A case solved on the spot goes from new straight to closed, flagged, with a note.
* Acknowledging a complaint needs the reply time promised to the customer.
* Resolving a complaint needs a root cause and the customer's confirmation or a recorded
  attempt to reach them; what it cost (compensation) is recorded then.
* Waiting on the customer stops the SLA clock; leaving it (to work, or straight to
  resolved) keeps the paused working time and pushes the deadline out by it.

A refused move changes nothing: a 422 naming the field, or a 409 for a stale version.
"""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext
from guanxi.concurrency import save_if_version
from guanxi.service import case_clock, events, workflow
from guanxi.service.case_models import Case, RootCause
from guanxi.service.case_selectors import case_get_workable_for_user
from guanxi.service.case_trail import audit, publish_case
from guanxi.service.case_types import CaseState, CaseType

S = CaseState
MAX_NOTE = 1000
MAX_COMPENSATION = Decimal(10**12)  # the column's 14 digits, 2 of them decimals


def _refuse_move(case: Case, state: str) -> ValidationError:
    allowed = "、".join(str(S(s).label) for s in workflow.next_states(case.state))
    message = _("A case that is %(state)s can move to: %(allowed)s.") % {
        "state": case.get_state_display(),
        "allowed": allowed,
    }
    return ValidationError({"state": [message]})


def _complaint_rules(
    case: Case, state: str, now: datetime, promised_reply_at: datetime | None,
    root_cause_id: int | None, customer_confirmed: bool, contact_attempted: bool,
    compensation: Decimal | None,
) -> dict:  # fmt: skip
    """The fields a move of a complaint must carry, checked; the values it writes."""
    errors: dict = {}
    values: dict = {}
    complaint = case.case_type == CaseType.COMPLAINT
    if state == S.ACKNOWLEDGED and (complaint or promised_reply_at is not None):
        if promised_reply_at is None:
            errors["promised_reply_at"] = [_("Promise the customer a reply time.")]
        elif promised_reply_at <= now:
            errors["promised_reply_at"] = [_("The promised reply must be in the future.")]
        else:
            values["promised_reply_at"] = promised_reply_at
    if root_cause_id is not None:
        valid = isinstance(root_cause_id, int) and not isinstance(root_cause_id, bool)
        if not valid or not RootCause.objects.filter(pk=root_cause_id).exists():
            errors["root_cause_id"] = [_("There is no root cause with this ID.")]
        elif state != S.RESOLVED:
            errors["root_cause_id"] = [_("A root cause is named when the case is resolved.")]
    if compensation is not None:
        if state != S.RESOLVED:
            errors["compensation"] = [_("Compensation is recorded when the case is resolved.")]
        elif not compensation.is_finite() or not 0 <= compensation < MAX_COMPENSATION:
            errors["compensation"] = [
                _("Enter an amount from 0 to %s.") % f"{MAX_COMPENSATION - 1:,}"
            ]
        else:
            values["compensation"] = compensation.quantize(Decimal("0.01"))
    if state == S.RESOLVED:
        if root_cause_id is not None:
            values["root_cause_id"] = root_cause_id
        elif complaint:
            errors["root_cause_id"] = [_("Name the complaint's root cause.")]
        if customer_confirmed:
            values["customer_confirmed"] = True
        if contact_attempted:
            values["contact_attempted_at"] = now
        if complaint and not (customer_confirmed or contact_attempted):
            errors["customer_confirmed"] = [
                _("Record the customer's confirmation or an attempt to reach them.")
            ]
    if errors:
        raise ValidationError(errors)
    return values


def case_transition(
    *,
    viewer: policy.Viewer,
    case_id: int,
    state: str,
    expected_version: int,
    context: RequestContext,
    note: str = "",
    on_the_spot: bool = False,
    promised_reply_at: datetime | None = None,
    root_cause_id: int | None = None,
    customer_confirmed: bool = False,
    contact_attempted: bool = False,
    compensation: Decimal | None = None,
) -> Case:
    """Move a case to ``state`` as the workflow allows; see the module's rules."""
    case = case_get_workable_for_user(viewer=viewer, case_id=case_id, action="case.work")
    note = (note or "").strip()
    if state not in S.values or not workflow.may_move(case.state, state):
        raise _refuse_move(case, state)
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": [_("At most %s characters.") % MAX_NOTE]})
    spot = (case.state, state) == workflow.ON_THE_SPOT
    if spot and not on_the_spot:
        raise ValidationError(
            {"on_the_spot": [_("Only a case solved on the spot closes without being worked.")]}
        )
    if spot and not note:
        raise ValidationError({"note": [_("Say how it was solved on the spot.")]})
    now = timezone.now()
    values = _complaint_rules(
        case, state, now, promised_reply_at, root_cause_id, customer_confirmed, contact_attempted,
        compensation,
    )  # fmt: skip
    if (case.state, state) in workflow.REOPEN:
        values["resolved_at"] = None
    elif state in (S.RESOLVED, S.CLOSED) and case.resolved_at is None:
        values["resolved_at"] = now
    if spot:
        values["on_the_spot"] = True
    if state == S.CONFIRMED:
        values["customer_confirmed"] = True
    if state == S.RESOLVED and note:
        values["resolution_note"] = note
    origin = case.state
    for name, value in values.items():
        setattr(case, name, value)
    names = ["state", *values]
    case.state = state
    if case.first_responded_at is None:
        case.first_responded_at = now
        names.append("first_responded_at")
    if origin in workflow.PAUSED:
        names += case_clock.resume(case, now)
    if state in workflow.PAUSED:
        names += case_clock.pause(case, now)
    with transaction.atomic():
        save_if_version(case, expected_version, names)
        case.transitions.create(
            from_state=origin, to_state=state, note=note, at=now, by_id=viewer.user_id
        )
        diff = {"state": [origin, state]} | {k: [None, v] for k, v in values.items()}
        audit(viewer, AuditAction.UPDATE, case, diff, context)
        publish_case(events.CaseStateChanged(from_state=origin, to_state=state), viewer, case)
    return case
