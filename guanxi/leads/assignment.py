"""Who works a lead: manual assignment, round-robin within a team, and rules by branch,
industry and territory, within each owner's capacity. Every change of owner is kept
(``LeadAssignment``) and audited.

Round-robin gives the lead to the team member whose last lead came longest ago (never:
first), skipping inactive users, those absent (``AssigneeSetting.absent_until``) and
those holding their capacity of open leads already.
"""

from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.concurrency import save_if_version
from guanxi.leads import events, workflow
from guanxi.leads.config import leads_setting
from guanxi.leads.models import (
    AssigneeSetting,
    AssignmentMethod,
    AssignmentRule,
    Lead,
    LeadAssignment,
)
from guanxi.leads.selectors import lead_get_for_user
from guanxi.leads.trail import audit, publish_lead
from guanxi.org.models import Profile, Team

NEVER = datetime.min.replace(tzinfo=timezone.get_fixed_timezone(0))


def _capacities(user_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per user, (open leads held, most allowed) — two queries."""
    held = dict(
        Lead.objects.filter(owner_id__in=user_ids, status__in=workflow.OPEN)
        .order_by()
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    limits = {
        user_id: limit
        for user_id, limit in AssigneeSetting.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "max_open_leads"
        )
        if limit is not None
    }
    default = leads_setting("max_open_leads")
    return {u: (held.get(u, 0), limits.get(u, default)) for u in user_ids}


def check_assignee(owner_id, branch_id: int | None, errors: dict) -> None:
    """A lead's owner is an active account manager or team lead of its branch with room
    for another open lead."""
    if not isinstance(owner_id, int):
        errors["owner_id"] = [_("There is no active user with this ID.")]
        return
    owner = get_user_model().objects.filter(pk=owner_id).first()
    profile = Profile.objects.filter(user_id=owner_id).first() if owner else None
    if owner is None or not owner.is_active:
        errors["owner_id"] = [_("There is no active user with this ID.")]
    elif profile is None or not policy.may_own_customers(profile.roles):
        errors["owner_id"] = [_("The owner must be an account manager.")]
    elif profile.branch_id != branch_id:
        errors["owner_id"] = [_("The owner must belong to the lead's branch.")]
    else:
        held, limit = _capacities([owner_id])[owner_id]
        if held >= limit:
            errors["owner_id"] = [
                _("This owner holds %(count)d open leads, their limit.") % {"count": held}
            ]


def round_robin(team_id: int) -> int | None:
    """The team member whose turn it is, or ``None`` when nobody can take a lead now."""
    today = timezone.localdate()
    members = [
        p.user_id
        for p in Profile.objects.filter(team_id=team_id, user__is_active=True).exclude(
            user__lead_setting__absent_until__gte=today
        )
        if policy.may_own_customers(p.roles)
    ]
    room = {u for u, (held, limit) in _capacities(members).items() if held < limit}
    last = dict(
        LeadAssignment.objects.filter(to_owner_id__in=room)
        .order_by()
        .values("to_owner_id")
        .annotate(at=Max("assigned_at"))
        .values_list("to_owner_id", "at")
    )
    return min(room, key=lambda u: (last.get(u, NEVER), u), default=None)


def choose_owner(lead: Lead) -> tuple[int, str, str] | None:
    """The owner the first matching assignment rule gives a new lead, with the method and
    the rule, or ``None`` (no rule matches, or nobody in its team has room)."""
    rules = AssignmentRule.objects.filter(branch_id=lead.branch_id).filter(
        Q(industry="") | Q(industry=lead.industry), Q(territory="") | Q(territory=lead.territory)
    )
    for rule in rules.order_by("priority", "id"):
        owner_id = round_robin(rule.team_id)
        if owner_id is not None:
            return owner_id, AssignmentMethod.RULE, f"#{rule.pk}"
    return None


def record_assignment(
    viewer: policy.Viewer, lead: Lead, from_owner_id: int | None, method: str, reason: str,
    context: RequestContext,
) -> None:  # fmt: skip
    """Keep the change of owner in the history, audit it and publish it (in the caller's
    transaction; the lead holds its new owner)."""
    assert lead.owner_id is not None
    LeadAssignment.objects.create(
        lead=lead, from_owner_id=from_owner_id, to_owner_id=lead.owner_id, method=method,
        reason=reason, assigned_at=timezone.now(), assigned_by_id=viewer.user_id,
    )  # fmt: skip
    changes = {"owner_id": [from_owner_id, lead.owner_id], "method": [None, method]}
    audit(viewer, AuditAction.UPDATE, lead, changes, context)
    event = events.LeadAssigned(
        from_owner_id=from_owner_id, to_owner_id=lead.owner_id, method=method
    )
    publish_lead(event, viewer, lead)


def lead_assign(
    *,
    viewer: policy.Viewer,
    lead_id: int,
    expected_version: int,
    context: RequestContext,
    owner_id: int | None = None,
    team_id: int | None = None,
    reason: str = "",
) -> Lead:
    """Give a lead to ``owner_id``, or round-robin to a member of ``team_id`` (one of the
    two). The new owner must be active, of the lead's branch, with room, and in the
    assigner's own scope; a stale version is a 409."""
    lead = lead_get_for_user(viewer=viewer, lead_id=lead_id)
    if not (policy.allows(viewer, "lead.assign", lead) or _unassigned_in_branch(viewer, lead)):
        policy.require(viewer, "lead.assign", lead)
    reason = (reason or "").strip()
    if (owner_id is None) == (team_id is None):
        raise ValidationError({"owner_id": [_("Give either an owner or a team.")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("At most 300 characters.")]})
    if lead.status in (workflow.S.CONVERTED, workflow.S.DISQUALIFIED):
        raise ValidationError({"status": [_("A closed lead is not assigned any more.")]})
    errors: dict = {}
    method = AssignmentMethod.MANUAL
    if team_id is not None:
        if not Team.objects.filter(pk=team_id, branch_id=lead.branch_id).exists():
            raise ValidationError({"team_id": [_("There is no team with this ID in the branch.")]})
        owner_id, method = round_robin(team_id), AssignmentMethod.ROUND_ROBIN
        if owner_id is None:
            raise ValidationError({"team_id": [_("Nobody in this team can take a lead now.")]})
    else:
        check_assignee(owner_id, lead.branch_id, errors)
    if errors:
        raise ValidationError(errors)
    if owner_id == lead.owner_id:
        raise ValidationError({"owner_id": [_("The lead is this colleague's already.")]})
    previous = lead.owner_id
    lead.owner_id = owner_id
    if not policy.allows(viewer, "lead.assign", lead):
        raise ValidationError({"owner_id": [_("You cannot give the lead to this owner.")]})
    with transaction.atomic():
        save_if_version(lead, expected_version, ["owner_id"])
        record_assignment(viewer, lead, previous, method, reason, context)
    return lead


def _unassigned_in_branch(viewer: policy.Viewer, lead: Lead) -> bool:
    # Nobody owns it yet: whoever may assign in the branch may give it its first owner.
    return (
        lead.owner_id is None
        and policy.allows(viewer, "lead.assign")
        and policy.allows(viewer, "lead.create", lead)
    )


def assignment_rules_list(*, viewer: policy.Viewer) -> list[AssignmentRule]:
    """The assignment rules, tried in this order (administrators)."""
    policy.require(viewer, "lead_assignment.manage")
    return list(AssignmentRule.objects.order_by("priority", "id"))


def assignment_rules_set(
    *, viewer: policy.Viewer, rules: list[dict], context: RequestContext
) -> list[AssignmentRule]:
    """Replace every assignment rule (administrators): each names a branch, optionally an
    industry and a territory, the team whose members take the leads, and a priority."""
    policy.require(viewer, "lead_assignment.manage")
    teams = dict(Team.objects.values_list("pk", "branch_id"))
    errors: dict = {}
    for n, rule in enumerate(rules):
        if teams.get(rule["team_id"]) != rule["branch_id"]:
            errors[f"rules.{n}.team_id"] = [_("There is no team with this ID in the branch.")]
    if errors:
        raise ValidationError(errors)
    made = [
        AssignmentRule(
            branch_id=r["branch_id"],
            team_id=r["team_id"],
            priority=r["priority"],
            industry=r["industry"].strip(),
            territory=r["territory"].strip(),
        )  # fmt: skip
        for r in rules
    ]
    before = [_rule_text(r) for r in AssignmentRule.objects.order_by("priority", "id")]
    with transaction.atomic():
        AssignmentRule.objects.all().delete()
        AssignmentRule.objects.bulk_create(made)
        record(
            viewer.user, AuditAction.UPDATE, "lead_assignment_rule", ["rules"], ["rules"],
            context, changes={"rules": [before, [_rule_text(r) for r in made]]},
        )  # fmt: skip
    return assignment_rules_list(viewer=viewer)


def _rule_text(rule: AssignmentRule) -> str:
    return f"{rule.priority}: {rule.branch_id}/{rule.industry}/{rule.territory} → {rule.team_id}"


def assignee_set(
    *,
    viewer: policy.Viewer,
    user_id: int,
    absent_until: date | None,
    max_open_leads: int | None,
    context: RequestContext,
) -> AssigneeSetting:
    """Set a colleague's absence and capacity for new leads: administrators anyone's,
    branch managers their branch's, team leads their team's (another is a 404)."""
    policy.require(viewer, "lead_assignee.manage")
    profile = Profile.objects.filter(user_id=user_id).first()
    if profile is None or not policy.allows(
        viewer, "lead_assignee.manage", AssigneeRef(user_id, profile.branch_id)
    ):
        raise Profile.DoesNotExist
    setting, _created = AssigneeSetting.objects.get_or_create(user_id=user_id)
    before = [setting.absent_until, setting.max_open_leads]
    setting.absent_until, setting.max_open_leads = absent_until, max_open_leads
    with transaction.atomic():
        setting.save(update_fields=["absent_until", "max_open_leads"])
        changes = {
            "absent_until": [before[0], absent_until],
            "max_open_leads": [before[1], max_open_leads],
        }
        record(
            viewer.user, AuditAction.UPDATE, "lead_assignee", [user_id], sorted(changes),
            context, changes=changes,
        )  # fmt: skip
    return setting


class AssigneeRef:
    """What the policy needs to know of a colleague whose lead settings change."""

    def __init__(self, user_id: int, branch_id: int | None) -> None:
        self.owner_id, self.branch_id, self.created_by_id = user_id, branch_id, None
