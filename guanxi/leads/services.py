"""Changes to leads: capture, edit, status moves, and the score weights.

Every function takes the acting ``Viewer``, asks the permission policy, and writes its
change, its audit entry and its domain event in one transaction. Status moves follow the
one table in ``guanxi.leads.workflow``; changes carry the version they were based on.
Assignment, conversion and escalation have modules of their own.
"""

import hmac
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record
from guanxi.concurrency import save_if_version
from guanxi.customers.identity import clean_identity
from guanxi.customers.models import Customer
from guanxi.leads import assignment, events, scoring, workflow
from guanxi.leads.config import leads_setting
from guanxi.leads.inputs import EDITABLE, LeadFields
from guanxi.leads.models import (
    AssignmentMethod,
    Lead,
    LeadSource,
    LeadStatus,
    LeadStatusChange,
    ScoreRule,
)
from guanxi.leads.selectors import lead_get_editable_for_user
from guanxi.leads.trail import audit, publish_lead
from guanxi.org.models import Branch
from guanxi.storable import check_storable

TEXT_FIELDS = ("name", "company", "industry", "territory", "campaign", "note")


def _clean(viewer: policy.Viewer, data: dict, errors: dict) -> None:
    """Check and normalise the given values of ``data`` in place; problems into ``errors``."""
    for name in TEXT_FIELDS:
        if name in data:
            data[name] = (data[name] or "").strip()
    if "name" in data and not data["name"]:
        errors["name"] = [_("A lead needs a name.")]
    for name in ("phone", "email", "id_number"):
        if name in data:
            data[name] = (data[name] or "").strip()
    identity = {k: data[k] for k in ("phone", "email", "id_number") if k in data}
    clean_identity(identity, errors)
    data.update({k: identity[k] for k in ("phone", "email", "id_number") if k in identity})
    referrer_id = data.get("referrer_id")
    if referrer_id is not None:
        visible = policy.customer_scope(viewer, Customer.objects.all())
        if not isinstance(referrer_id, int) or not visible.filter(pk=referrer_id).exists():
            errors["referrer_id"] = [_("There is no customer with this ID.")]


def lead_create(*, viewer: policy.Viewer, fields: LeadFields, context: RequestContext) -> Lead:
    """Capture a lead. Its owner is the one given, else the viewer when they work leads of
    its branch, else whoever the assignment rules give it to (else nobody yet: the branch
    manager sees it). Scored on the way in."""
    policy.require(viewer, "lead.create")
    data = fields.given()
    errors: dict = {}
    data.setdefault("name", "")
    _clean(viewer, data, errors)
    branch_id = data.get("branch_id", viewer.branch_id)
    if branch_id is None or not Branch.objects.filter(pk=branch_id).exists():
        errors["branch_id"] = [_("There is no branch with this ID.")]
    if "source" not in data:
        errors["source"] = [_("Say where the lead came from.")]
    owner_id = data.pop("owner_id", None)
    if owner_id is not None and not errors:
        assignment.check_assignee(owner_id, branch_id, errors)
    if errors:
        raise ValidationError(errors)
    lead = Lead(**{**data, "branch_id": branch_id}, created_by_id=viewer.user_id)
    lead.created_at = timezone.now()
    if not policy.allows(viewer, "lead.create", lead):
        raise ValidationError({"branch_id": [_("You cannot capture leads for this branch.")]})
    method: str = AssignmentMethod.MANUAL
    reason = ""
    works_here = policy.may_own_customers(viewer.roles) and viewer.branch_id == branch_id
    if owner_id is None and works_here:
        owner_id, method = viewer.user_id, AssignmentMethod.CREATOR
    if owner_id is None:
        chosen = assignment.choose_owner(lead)
        if chosen is not None:
            owner_id, method, reason = chosen
    lead.owner_id = owner_id
    given_away = method == AssignmentMethod.MANUAL and owner_id not in (None, viewer.user_id)
    if given_away and not policy.allows(viewer, "lead.assign", lead):
        raise ValidationError({"owner_id": [_("You cannot give the lead to this owner.")]})
    check_storable(lead, [*data, "branch_id"])
    scoring.apply_score(lead)
    values = {name: getattr(lead, name) for name in (*data, "branch_id", "owner_id", "score")}
    with transaction.atomic():
        lead.save()
        LeadStatusChange.objects.create(
            lead=lead, to_status=lead.status, changed_at=lead.created_at,
            changed_by_id=viewer.user_id,
        )  # fmt: skip
        audit(viewer, AuditAction.CREATE, lead, created(values), context)
        publish_created(viewer, lead)
        if owner_id is not None:
            assignment.record_assignment(viewer, lead, None, method, reason, context)
    return lead


def publish_created(viewer: policy.Viewer, lead: Lead) -> None:
    """The lead-created event (inside the creating transaction)."""
    event = events.LeadCreated(source=lead.source, branch_id=lead.branch_id, owner_id=lead.owner_id)
    publish_lead(event, viewer, lead)


def lead_update(
    *,
    viewer: policy.Viewer,
    lead_id: int,
    changes: LeadFields,
    expected_version: int,
    context: RequestContext,
) -> Lead:
    """Change the given fields of a lead, refusing a stale version (409). The branch,
    owner and status are changed otherwise (assignment, status moves)."""
    lead = lead_get_editable_for_user(viewer=viewer, lead_id=lead_id)
    data = changes.given()
    errors: dict = {
        name: [_("This field cannot be changed here.")] for name in data if name not in EDITABLE
    }
    data = {k: v for k, v in data.items() if k in EDITABLE}
    if "source" in data and data["source"] is None:
        errors["source"] = [_("Say where the lead came from.")]
    _clean(viewer, data, errors)
    if lead.status == LeadStatus.CONVERTED and data:
        errors.setdefault("status", [_("A converted lead is kept as it was.")])
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(lead, name) for name in data}
    changed = [name for name, value in data.items() if before[name] != value]
    for name in changed:
        setattr(lead, name, data[name])
    check_storable(lead, changed)
    changed += scoring.apply_score(lead)
    with transaction.atomic():
        save_if_version(lead, expected_version, changed)
        if changed:
            diff = {n: [before.get(n), getattr(lead, n)] for n in changed if n != "score_reasons"}
            audit(viewer, AuditAction.UPDATE, lead, diff, context)
            publish_lead(events.LeadUpdated(fields=sorted(changed)), viewer, lead)
    return lead


def move_status(
    viewer: policy.Viewer, lead: Lead, to: str, reason: str, expected_version: int,
    context: RequestContext, extra: dict | None = None, side_effects: dict | None = None,
) -> Lead:  # fmt: skip
    """Write a status move of ``lead`` (checked by the caller) with its history, score,
    audit entry and event; ``extra`` are further fields to write with it, ``side_effects``
    what the move did elsewhere, for its audit entry (``{name: [before, after]}``)."""
    origin = lead.status
    now = timezone.now()
    lead.status, lead.status_reason = to, reason
    names = ["status", "status_reason", *(extra or {})]
    for name, value in (extra or {}).items():
        setattr(lead, name, value)
    if lead.first_response_at is None:
        lead.first_response_at = now
        names.append("first_response_at")
    names += scoring.apply_score(lead)
    with transaction.atomic():
        save_if_version(lead, expected_version, names)
        LeadStatusChange.objects.create(
            lead=lead, from_status=origin, to_status=to, reason=reason, changed_at=now,
            changed_by_id=viewer.user_id,
        )  # fmt: skip
        diff = {"status": [origin, to], **({"reason": [None, reason]} if reason else {})}
        diff |= {k: [None, v] for k, v in (extra or {}).items() if k.endswith("_id") and v}
        diff |= side_effects or {}
        audit(viewer, AuditAction.UPDATE, lead, diff, context)
        publish_lead(events.LeadStatusChanged(from_status=origin, to_status=to), viewer, lead)
    return lead


def lead_first_response(
    *, viewer: policy.Viewer, lead: Lead, at: datetime, context: RequestContext
) -> bool:
    """Record ``at`` as the lead's first response (a contact logged on it) unless it has one:
    a new version, audited and published as a change of the lead, in the caller's
    transaction. One conditional update, so a status move or another contact at the same
    time keeps whichever came first. Returns whether it was set."""
    answered = Lead.objects.filter(pk=lead.pk, first_response_at__isnull=True).update(
        first_response_at=at, version=F("version") + 1, updated_at=timezone.now()
    )
    if not answered:
        return False
    lead.first_response_at = at
    audit(viewer, AuditAction.UPDATE, lead, {"first_response_at": [None, at.isoformat()]}, context)
    publish_lead(events.LeadUpdated(fields=["first_response_at"]), viewer, lead)
    return True


def lead_change_status(
    *,
    viewer: policy.Viewer,
    lead_id: int,
    status: str,
    expected_version: int,
    context: RequestContext,
    reason: str = "",
) -> Lead:
    """Move a lead to another status as the workflow allows; disqualifying or keeping it for
    later needs a reason. Converting is ``lead_convert``. A stale version is a 409."""
    lead = lead_get_editable_for_user(viewer=viewer, lead_id=lead_id)
    reason = (reason or "").strip()
    if status in workflow.BY_CONVERSION:
        raise ValidationError({"status": [_("Convert the lead to make it a customer.")]})
    if status not in LeadStatus.values or not workflow.may_move(lead.status, status):
        allowed = "、".join(str(LeadStatus(s).label) for s in workflow.status_moves(lead.status))
        message = (
            _("A lead that is %(status)s can move to: %(allowed)s.")
            % {"status": lead.get_status_display(), "allowed": allowed}
            if allowed
            else _("A lead that is %(status)s cannot change status any more.")
            % {"status": lead.get_status_display()}
        )
        raise ValidationError({"status": [message]})
    if status in workflow.NEEDS_REASON and not reason:
        raise ValidationError({"reason": [_("Say why (it is kept with the lead).")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("At most 500 characters.")]})
    return move_status(viewer, lead, status, reason, expected_version, context)


def require_score_manager(viewer: policy.Viewer) -> None:
    """Refuse (403) a viewer who may not read and set the scoring rules."""
    policy.require(viewer, "lead_score.manage")


def score_rules_set(
    *, viewer: policy.Viewer, points: dict[str, int], context: RequestContext
) -> dict[str, int]:
    """Set the points of scoring rules (administrators). New and edited leads are scored
    with them; existing scores change when their lead next does."""
    policy.require(viewer, "lead_score.manage")
    errors = {
        f"points.{code}": [_("There is no scoring rule with this code.")]
        for code in points
        if code not in scoring.RULES
    }
    errors |= {
        f"points.{code}": [_("Give points between 0 and 100.")]
        for code, value in points.items()
        if code in scoring.RULES and not (isinstance(value, int) and 0 <= value <= 100)
    }
    if errors:
        raise ValidationError(errors)
    before = scoring.weights()
    with transaction.atomic():
        for code, value in points.items():
            ScoreRule.objects.update_or_create(code=code, defaults={"points": value})
        diff = {c: [before[c], v] for c, v in points.items() if before[c] != v}
        if diff:
            record(
                viewer.user, AuditAction.UPDATE, "lead_score_rule", ["weights"], sorted(diff),
                context, changes=diff,
            )  # fmt: skip
    return scoring.weights()


class WebFormRefused(Exception):
    """The web form is unknown or its token wrong; nothing was written."""


def lead_capture_web_form(
    *, form: str, token: str, fields: LeadFields, context: RequestContext
) -> Lead:
    """A lead sent by a web form without a login: the form's code and secret token must
    match ``GUANXI_LEADS["web_forms"]``, which names the branch it goes to. The sender
    chooses no branch, owner or source; the assignment rules choose the owner."""
    config = leads_setting("web_forms").get(form)
    secret = str(config.get("token", "")) if isinstance(config, dict) else ""
    if not secret or not hmac.compare_digest(secret.encode(), token.encode()):
        raise WebFormRefused(_("Unknown form or wrong token."))
    branch = Branch.objects.filter(code=config.get("branch", "")).first()
    if branch is None:
        raise WebFormRefused(_("This form is not set up: its branch does not exist."))
    given = fields.given()
    refused = {"branch_id", "owner_id", "source", "referrer_id", "id_number"} & set(given)
    if refused:
        raise ValidationError({name: [_("This field cannot be set.")] for name in refused})
    lead_fields = LeadFields.from_mapping(
        {**given, "branch_id": branch.pk, "source": LeadSource.WEB_FORM}
    )
    return lead_create(viewer=policy.Viewer.system(), fields=lead_fields, context=context)
