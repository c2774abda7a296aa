"""Reads of leads, always through the policy's record scope.

A lead out of the viewer's scope reads as missing (``Lead.DoesNotExist``, a 404), the
same as one that does not exist. A search by phone, e-mail or ID number is a read of that
value: only for roles that may search customers by it, and audited with the value.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.customers.identity import normalise_email, normalise_phone, parse_resident_id
from guanxi.leads import workflow
from guanxi.leads.models import Lead, LeadAssignment, LeadStatusChange
from guanxi.org.models import Profile
from guanxi.policy.leads import lead_field_access
from guanxi.policy.rules import teammates_of

LIST_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
FILTERS = {
    "status": "status",
    "source": "source",
    "owner_id": "owner_id",
    "branch_id": "branch_id",
}


def leads_in_scope(viewer: policy.Viewer, action: str = "lead.view") -> QuerySet[Lead]:
    """The leads the viewer may do ``action`` to (none if their roles may not)."""
    if not policy.allows(viewer, action):
        return Lead.objects.none()
    return policy.scoped(viewer, Lead.objects.all(), action)


def lead_get_for_user(*, viewer: policy.Viewer, lead_id: int) -> Lead:
    """One lead the viewer may see: a role that may not read leads is refused (403); one
    out of scope reads as missing (404)."""
    policy.require(viewer, "lead.view")
    leads = Lead.objects.select_related("owner__profile", "branch", "referrer", "customer")
    return policy.scoped(viewer, leads, "lead.view").get(pk=lead_id)


def lead_get_editable_for_user(*, viewer: policy.Viewer, lead_id: int) -> Lead:
    """A lead the viewer may change: out of scope reads as missing, in scope but not
    editable (a marketer, an auditor) is forbidden."""
    lead = lead_get_for_user(viewer=viewer, lead_id=lead_id)
    policy.require(viewer, "lead.edit", lead)
    return lead


def _identifying(q: str) -> tuple[str, str] | None:
    """The personal field and normalised value a search text is, if it is one."""
    text = q.strip()
    if "@" in text:
        try:
            return "email", normalise_email(text)
        except ValidationError:
            return None
    digits = text.replace(" ", "").replace("-", "")
    if len(digits) == 18 and digits[:17].isdigit():
        try:
            return "id_number", parse_resident_id(digits).number
        except ValidationError:
            return None
    if digits.lstrip("+").isdigit() and len(digits) >= 7:
        try:
            return "phone", normalise_phone(digits)
        except ValidationError:
            return None
    return None


@dataclass(frozen=True)
class LeadPage:
    """A page of a lead list and how many leads match in all."""

    rows: list[Lead]
    page: int
    page_size: int
    has_next: bool
    count: int


def lead_list_for_user(
    *,
    viewer: policy.Viewer,
    filters: dict,
    context: RequestContext,
    q: str = "",
    page: int = 1,
    page_size: int = LIST_PAGE_SIZE,
) -> LeadPage:
    """The viewer's leads matching ``filters`` (keys of ``FILTERS``), newest first. ``q``
    finds a name or company containing it, or, when it is a phone, e-mail or ID number, the
    leads with exactly that value (a read of it: audited, and refused to roles that may not
    search by it)."""
    policy.require(viewer, "lead.view")
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    found = policy.scoped(
        viewer, Lead.objects.select_related("owner__profile"), "lead.view"
    ).filter(**{FILTERS[k]: v for k, v in filters.items() if k in FILTERS and v not in (None, "")})
    identifying = _identifying(q) if q.strip() else None
    if identifying is not None:
        name, value = identifying
        if not policy.may_search_by(viewer, name):
            raise ValidationError({"q": [_("Your role may not search by this field.")]})
        found = found.filter(**{name: value})
    elif q.strip():
        found = found.filter(Q(name__icontains=q.strip()) | Q(company__icontains=q.strip()))
    start = (page - 1) * page_size
    rows = list(found.order_by("-created_at", "-id")[start : start + page_size + 1])
    if identifying is not None:
        record(
            viewer.user,
            AuditAction.SEARCH,
            "lead",
            [r.pk for r in rows[:page_size]],
            [identifying[0]],
            context,
            changes={identifying[0]: [None, identifying[1]]},
        )
    count = found.count() if page > 1 or len(rows) > page_size else len(rows)
    return LeadPage(rows[:page_size], page, page_size, len(rows) > page_size, count)


def lead_personal_values(
    *, viewer: policy.Viewer, lead: Lead, context: RequestContext
) -> dict[str, str | None]:
    """The lead's phone, e-mail and ID number as the viewer may see them (full, masked,
    or ``None`` when hidden); showing a full value is an audited read."""
    access = lead_field_access(viewer, lead)
    shown = {
        name: policy.present(name, getattr(lead, name), access[name])
        for name in policy.PERSONAL_FIELDS
    }
    full = sorted(
        n for n in policy.PERSONAL_FIELDS if getattr(lead, n) and access[n] is policy.Access.FULL
    )
    if full:
        record(viewer.user, AuditAction.READ, "lead", [lead.pk], full, context, name=lead.name)
    return shown


def lead_history(*, lead: Lead) -> list[dict]:
    """The lead's status changes and assignments, newest first (two queries)."""
    events = [
        {
            "at": c.changed_at,
            "kind": "status",
            "by": c.changed_by,
            "from": c.get_from_status_display() if c.from_status else "",
            "to": c.get_to_status_display(),
            "reason": c.reason,
        }
        for c in LeadStatusChange.objects.filter(lead=lead).select_related("changed_by__profile")
    ]
    events += [
        {
            "at": a.assigned_at,
            "kind": "assignment",
            "by": a.assigned_by,
            "from": a.from_owner,
            "to": a.to_owner,
            "reason": a.get_method_display() + (f" · {a.reason}" if a.reason else ""),
        }
        for a in LeadAssignment.objects.filter(lead=lead).select_related(
            "assigned_by__profile", "from_owner__profile", "to_owner__profile"
        )
    ]
    return sorted(events, key=lambda e: e["at"], reverse=True)


def leads_waiting(viewer: policy.Viewer, limit: int) -> list[Lead]:
    """Open leads nobody has answered yet that are the viewer's to answer: their own, their
    team's for a team lead, and those escalated to them (two queries: the parts united,
    ``guanxi.core.united_parts``; ORed, they read every open lead through the status
    index, a quarter of a second at 200,000)."""
    waiting = Lead.objects.filter(first_response_at__isnull=True, status__in=workflow.OPEN)
    parts = [
        waiting.filter(owner_id=viewer.user_id),
        waiting.filter(escalated_to_id=viewer.user_id),
    ]
    if policy.Scope.TEAM in {policy.ROLE_SCOPE.get(r) for r in viewer.roles}:
        parts.append(waiting.filter(owner_id__in=teammates_of(viewer.user_id or 0)))
    first = (
        parts[0]
        .values_list("id", "created_at")
        .union(*(part.values_list("id", "created_at") for part in parts[1:]))
    )
    ids = [pk for pk, _created in first.order_by("created_at", "id")[:limit]]
    return list(
        Lead.objects.filter(pk__in=ids)
        .select_related("owner__profile")
        .order_by("created_at", "id")
    )


def owner_candidates(*, lead: Lead) -> list[tuple[int, str]]:
    """Whom the lead may be given to: the active account managers and team leads of its
    branch (one query)."""
    profiles = (
        Profile.objects.filter(user__is_active=True, branch_id=lead.branch_id)
        .select_related("user")
        .order_by("display_name", "user_id")
    )
    return [
        (p.user_id, p.display_name or p.user.get_username())
        for p in profiles
        if policy.may_own_customers(p.roles) and p.user_id != lead.owner_id
    ]
