"""Writing activities: log, update (with the version read), complete and reschedule tasks.

Every function takes the acting ``Viewer``, fetches through the scoped selectors (an
activity, customer or lead out of scope is missing), asks the policy, and writes its
change, an audit entry and a domain event in one transaction. An activity is about a
customer or about a lead not converted yet (``about_lead``), never both when logged.
Attachments are in ``attachments``, contact rules in ``contact_rules``.
"""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities import events, workflow
from guanxi.activities.about_lead import answer_lead, lead_for
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import Activity, ActivityKind, ActivityStatus
from guanxi.activities.selectors import activity_get_for_user
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record
from guanxi.concurrency import save_if_version
from guanxi.customers.models import Customer
from guanxi.leads.models import Lead
from guanxi.policy.activities import ActivityRef, activity_allows
from guanxi.sales.selectors import opportunities_in_scope
from guanxi.storable import EARLIEST_DATE, LATEST_DATE, check_storable

TEXT = ("subject", "description", "outcome", "channel")


def _customer_for(viewer: policy.Viewer, customer_id: object) -> Customer:
    """The customer an activity is to be about: in the viewer's scope, else missing."""
    if not isinstance(customer_id, int) or isinstance(customer_id, bool):
        raise ValidationError({"customer_id": [_("Name the customer by its ID.")]})
    found = policy.customer_scope(viewer, Customer.objects.all()).filter(pk=customer_id).first()
    if found is None:
        raise ValidationError({"customer_id": [_("There is no such customer in your scope.")]})
    return found


def _opportunity_for(
    viewer: policy.Viewer, opportunity_id: object, customer_id: int | None, errors: dict
) -> int | None:
    """The id of the opportunity an activity is to work on: one of its customer's that the
    viewer may see (an error naming ``opportunity_id`` otherwise); None unlinks. An
    activity about a lead alone has none: the opportunity comes with the conversion."""
    if opportunity_id is None:
        return None
    if customer_id is None:
        errors["opportunity_id"] = [_("An activity about a lead has no opportunity.")]
        return None
    if not isinstance(opportunity_id, int) or isinstance(opportunity_id, bool):
        errors["opportunity_id"] = [_("Name the opportunity by its ID.")]
        return None
    found = (
        opportunities_in_scope(viewer)
        .filter(pk=opportunity_id)
        .values_list("customer_id", flat=True)
        .first()
    )
    if found is None:
        errors["opportunity_id"] = [_("There is no such opportunity in your scope.")]
    elif found != customer_id:
        errors["opportunity_id"] = [_("The opportunity is another customer's.")]
    return opportunity_id


def _check_moment(name: str, value: object, errors: dict, required: bool = False) -> None:
    if value is None:
        if required:
            errors[name] = [_("Give a time.")]
        return
    if not isinstance(value, datetime) or timezone.is_naive(value):
        errors[name] = [_("Give a time with its time zone.")]
    elif not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        errors[name] = [
            _("Give a date between %(a)s and %(b)s.") % {"a": EARLIEST_DATE, "b": LATEST_DATE}
        ]


def _participants(ids: object, errors: dict) -> list[int] | None:
    if ids is None:
        return []
    if not isinstance(ids, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        errors["participant_ids"] = [_("Give a list of user IDs.")]
        return None
    wanted = sorted(set(ids))
    found = set(
        get_user_model().objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True)
    )
    if missing := [i for i in wanted if i not in found]:
        errors["participant_ids"] = [
            _("There is no active user with ID %(ids)s.") % {"ids": ", ".join(map(str, missing))}
        ]
        return None
    return wanted


def clean_activity(
    values: dict,
    current: Activity | None = None,
    *,
    viewer: policy.Viewer,
    customer_id: int | None,
) -> tuple[dict, list[int] | None]:
    """Check the given values (of ``current``, for an update) of an activity about the
    customer ``customer_id`` (None: about a lead alone); one ValidationError naming every
    field. Returns the model values and the participants (None: not given)."""
    errors: dict = {}
    cleaned = {
        k: v
        for k, v in values.items()
        if k not in ("participant_ids", "customer_id", "lead_id", "opportunity_id")
    }
    if "opportunity_id" in values:
        cleaned["opportunity_id"] = _opportunity_for(
            viewer, values["opportunity_id"], customer_id, errors
        )
    for name in TEXT:
        if name in cleaned:
            cleaned[name] = (
                (cleaned[name] or "").strip()
                if isinstance(cleaned[name], str | None)
                else cleaned[name]
            )
    if "subject" in cleaned and not cleaned["subject"]:
        errors["subject"] = [_("Give the activity a subject.")]
    if current is None and "kind" not in cleaned:
        errors["kind"] = [_("Choose the kind of activity.")]
    if "status" in cleaned and cleaned["status"] not in ActivityStatus.values:
        errors["status"] = [_("Choose one of: %s.") % ", ".join(ActivityStatus.values)]
    _check_moment("starts_at", cleaned.get("starts_at"), errors, required="starts_at" in cleaned)
    _check_moment("ends_at", cleaned.get("ends_at"), errors)
    due = cleaned.get("due_on")
    if due is not None and (not isinstance(due, date) or not EARLIEST_DATE <= due <= LATEST_DATE):
        errors["due_on"] = [
            _("Give a date between %(a)s and %(b)s.") % {"a": EARLIEST_DATE, "b": LATEST_DATE}
        ]
    starts = cleaned.get("starts_at", current.starts_at if current else None)
    ends = cleaned.get("ends_at", current.ends_at if current else None)
    if (
        "starts_at" not in errors
        and "ends_at" not in errors
        and isinstance(starts, datetime)
        and isinstance(ends, datetime)
        and ends < starts
    ):
        errors["ends_at"] = [_("An activity cannot end before it starts.")]
    participants = None
    if "participant_ids" in values:
        participants = _participants(values["participant_ids"], errors)
    if errors:
        raise ValidationError(errors)
    return cleaned, participants


def _audited(activity: Activity) -> str:
    return f"{activity.get_kind_display()}: {activity.subject}"


def _about(viewer: policy.Viewer, given: dict) -> tuple[Customer | None, Lead | None]:
    """What the activity to log is about: the customer or the lead named, exactly one."""
    customer_id, lead_id = given.get("customer_id"), given.get("lead_id")
    if customer_id is None and lead_id is None:
        message = _("Name the customer or the lead the activity is about.")
        raise ValidationError({"customer_id": [message], "lead_id": [message]})
    if customer_id is not None and lead_id is not None:
        message = _("Name the customer or the lead, not both.")
        raise ValidationError({"lead_id": [message]})
    if lead_id is not None:
        return None, lead_for(viewer, lead_id)
    customer = _customer_for(viewer, customer_id)
    policy.require(viewer, "activity.log", ActivityRef.of_customer(customer))
    return customer, None


def activity_log(
    *, viewer: policy.Viewer, fields: ActivityFields, context: RequestContext
) -> Activity:
    """Log a done activity or plan one (a task, or any kind with status open) about a
    customer or a lead; audited. A done contact is the lead's first response if it has none
    yet (``about_lead.answer_lead``)."""
    given = fields.given()
    policy.require(viewer, "activity.log")
    customer, lead = _about(viewer, given)
    given.setdefault("starts_at", timezone.now())
    if given.get("kind") == ActivityKind.TASK:
        given.setdefault("status", ActivityStatus.OPEN)
    customer_id = customer.pk if customer else None
    cleaned, participants = clean_activity(given, viewer=viewer, customer_id=customer_id)
    if viewer.user_id is None:
        raise PermissionDenied(_("Activities are logged by a person."))
    activity = Activity(customer=customer, lead=lead, owner_id=viewer.user_id, **cleaned)
    if activity.status == ActivityStatus.DONE:
        activity.completed_at = timezone.now()
    check_storable(activity, list(cleaned))
    with transaction.atomic():
        activity.save()
        if participants:
            activity.participants.set(participants)
        about = {"customer_id": customer_id, "lead_id": lead.pk if lead else None}
        values = {**cleaned, **about, "participant_ids": participants or None}
        record(
            viewer.user,
            AuditAction.CREATE,
            "activity",
            [activity.pk],
            sorted(k for k, v in values.items() if v not in (None, "")),
            context,
            changes=created({k: _jsonable(v) for k, v in values.items()}),
            name=_audited(activity),
            customers=[customer_id] if customer_id else [],
        )
        events.publish_logged(activity=activity, actor=viewer.user)
        answer_lead(viewer=viewer, activity=activity, context=context)
    return activity


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _editable(viewer: policy.Viewer, activity_id: int) -> Activity:
    activity = activity_get_for_user(viewer=viewer, activity_id=activity_id)
    if not activity_allows(viewer, "activity.edit", activity):
        raise PermissionDenied(_("Your role does not allow this."))
    return activity


def _write(
    viewer: policy.Viewer,
    activity: Activity,
    changes: dict,
    expected_version: int,
    context: RequestContext,
    participants: list[int] | None = None,
) -> Activity:
    """Apply ``changes`` if the version is still the one read; audit and publish them."""
    old = {name: getattr(activity, name) for name in changes}
    changed = [name for name, value in changes.items() if old[name] != value]
    for name in changed:
        setattr(activity, name, changes[name])
    check_storable(activity, changed)
    current_participants: list[int] = []
    if participants is not None:
        current_participants = sorted(activity.participants.values_list("pk", flat=True))
    participants_changed = participants is not None and participants != current_participants
    with transaction.atomic():
        save_if_version(activity, expected_version, changed)
        diff = {name: [_jsonable(old[name]), _jsonable(changes[name])] for name in changed}
        if participants_changed:
            activity.participants.set(participants or [])
            diff["participant_ids"] = [current_participants, participants]
        if diff:
            record(
                viewer.user,
                AuditAction.UPDATE,
                "activity",
                [activity.pk],
                sorted(diff),
                context,
                changes=diff,
                name=_audited(activity),
                customers=[activity.customer_id] if activity.customer_id else [],
            )
            events.publish_changed(
                activity=activity,
                fields=list(diff),
                actor=viewer.user,
                moved_from=old["starts_at"] if "starts_at" in changed else None,
            )
            if "status" in diff:
                answer_lead(viewer=viewer, activity=activity, context=context)
    return activity


def activity_update(
    *,
    viewer: policy.Viewer,
    activity_id: int,
    fields: ActivityFields,
    expected_version: int,
    context: RequestContext,
) -> Activity:
    """Change the given fields of an activity, refusing a stale version; a status change
    follows the workflow (``workflow.TRANSITIONS``). Audited with what changed."""
    activity = _editable(viewer, activity_id)
    given = fields.given()
    if "customer_id" in given and given["customer_id"] != activity.customer_id:
        raise ValidationError({"customer_id": [_("An activity stays with its customer.")]})
    if "lead_id" in given and given["lead_id"] != activity.lead_id:
        raise ValidationError({"lead_id": [_("An activity stays with its lead.")]})
    given.pop("customer_id", None)
    given.pop("lead_id", None)
    cleaned, participants = clean_activity(
        given, current=activity, viewer=viewer, customer_id=activity.customer_id
    )
    if "status" in cleaned and cleaned["status"] != activity.status:
        workflow.check_transition(activity.status, cleaned["status"])
        cleaned["completed_at"] = (
            timezone.now() if cleaned["status"] == ActivityStatus.DONE else None
        )
    return _write(viewer, activity, cleaned, expected_version, context, participants)


def task_complete(
    *,
    viewer: policy.Viewer,
    activity_id: int,
    expected_version: int,
    outcome: str = "",
    context: RequestContext,
) -> Activity:
    """Mark an open task or planned activity done, with its outcome."""
    activity = _editable(viewer, activity_id)
    workflow.check_transition(activity.status, ActivityStatus.DONE)
    changes: dict = {"status": ActivityStatus.DONE, "completed_at": timezone.now()}
    if outcome.strip():
        changes["outcome"] = outcome.strip()
    return _write(viewer, activity, changes, expected_version, context)


def task_reschedule(
    *,
    viewer: policy.Viewer,
    activity_id: int,
    expected_version: int,
    starts_at: datetime | None = None,
    due_on: date | None = None,
    context: RequestContext,
) -> Activity:
    """Move an open item to another time and/or due date (its length is kept)."""
    activity = _editable(viewer, activity_id)
    workflow.check_reschedulable(activity.status)
    if starts_at is None and due_on is None:
        raise ValidationError({"due_on": [_("Give a new time or due date.")]})
    changes: dict = {}
    if due_on is not None:
        changes["due_on"] = due_on
    if starts_at is not None:
        changes["starts_at"] = starts_at
        if activity.ends_at is not None:
            changes["ends_at"] = starts_at + (activity.ends_at - activity.starts_at)
    cleaned, _participants = clean_activity(
        changes, current=activity, viewer=viewer, customer_id=activity.customer_id
    )
    return _write(viewer, activity, cleaned, expected_version, context)
