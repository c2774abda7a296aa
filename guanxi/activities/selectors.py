"""Reading activities through the policy: scoped lists, one activity, a customer's timeline,
a lead's activities.

An activity out of the viewer's scope reads as missing (``Activity.DoesNotExist``, a 404).
Its scope is its customer's, or its lead's when it is about a lead alone
(``guanxi.policy.activities``): a read narrowed by an index (one id, one lead) asks both at
once; the list over all activities unites the two parts (``guanxi.core.united_parts``).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities.models import Activity, ActivityKind, ActivityStatus
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.core.united_parts import first_ids
from guanxi.leads.models import Lead
from guanxi.policy.activities import activity_condition

PAGE_SIZE_LIMIT = 200


@dataclass(frozen=True)
class ActivityFilter:
    """What the activity list can be narrowed to (each optional)."""

    customer_id: int | None = None
    opportunity_id: int | None = None
    lead_id: int | None = None
    kind: str = ""
    status: str = ""
    owner_id: int | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    due_before: date | None = None

    def check(self) -> None:
        """Refuse, by name, a kind or status that does not exist."""
        errors = {}
        if self.kind and self.kind not in ActivityKind.values:
            errors["kind"] = [_("Choose one of: %s.") % ", ".join(ActivityKind.values)]
        if self.status and self.status not in ActivityStatus.values:
            errors["status"] = [_("Choose one of: %s.") % ", ".join(ActivityStatus.values)]
        if errors:
            raise ValidationError(errors)


def activities_visible(viewer: policy.Viewer, action: str = "activity.view") -> QuerySet:
    """Every activity the viewer may do ``action`` to (none for a role without it). One
    condition over the customer's and the lead's scope: narrow it by an index first."""
    if not policy.allows(viewer, action):
        return Activity.objects.none()
    condition = activity_condition(viewer, action)
    return Activity.objects.all() if condition is None else Activity.objects.filter(condition)


def activity_get_for_user(
    *, viewer: policy.Viewer, activity_id: int, action: str = "activity.view"
) -> Activity:
    """One activity in the viewer's scope, with its customer or lead; missing otherwise (a
    role that may not read activities at all is refused)."""
    policy.require(viewer, action)
    return (
        activities_visible(viewer, action)
        .select_related("customer", "lead", "owner__profile")
        .get(pk=activity_id)
    )


def _parts(viewer: policy.Viewer, filters: ActivityFilter) -> list[QuerySet]:
    """The activities the list reads, as parts each read along its own index: those with a
    customer in the viewer's scope and those about a lead alone in it (ORed, the two
    joins read every activity), or one lead's."""
    if not policy.allows(viewer, "activity.view"):
        return []
    if filters.lead_id is not None:
        return [activities_visible(viewer).filter(lead_id=filters.lead_id)]
    if activity_condition(viewer, "activity.view") is None:
        parts = [Activity.objects.all()]  # every activity: nothing to unite
    else:
        with_customer = Activity.objects.filter(customer__isnull=False)
        parts = [policy.scoped(viewer, with_customer, "activity.view")]
        if policy.allows(viewer, "lead_activity.view") and filters.customer_id is None:
            about_lead = Activity.objects.filter(customer__isnull=True)
            parts.append(policy.scoped(viewer, about_lead, "lead_activity.view"))
    if filters.customer_id is not None:
        parts = [p.filter(customer_id=filters.customer_id) for p in parts]
    if filters.opportunity_id is not None:
        parts = [parts[0].filter(opportunity_id=filters.opportunity_id)]
    return parts


def activity_list_for_user(
    *,
    viewer: policy.Viewer,
    filters: ActivityFilter | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Activity], bool]:
    """A page of the viewer's activities, newest first; and whether there is a next page."""
    filters = filters or ActivityFilter()
    filters.check()
    narrow: dict = {}
    if filters.kind:
        narrow["kind"] = filters.kind
    if filters.status:
        narrow["status"] = filters.status
    if filters.owner_id is not None:
        narrow["owner_id"] = filters.owner_id
    if filters.starts_from is not None:
        narrow["starts_at__gte"] = filters.starts_from
    if filters.starts_before is not None:
        narrow["starts_at__lt"] = filters.starts_before
    if filters.due_before is not None:
        narrow["due_on__lt"] = filters.due_before
    parts = [part.filter(**narrow) for part in _parts(viewer, filters)]
    if not parts:
        return [], False
    page_size = max(1, min(page_size, PAGE_SIZE_LIMIT))
    start = (page - 1) * page_size
    related = ("customer", "lead", "owner__profile")
    if len(parts) == 1:
        found = parts[0].select_related(*related).order_by("-starts_at", "-id")
        rows = list(found[start : start + page_size + 1])
    else:
        ids = first_ids(parts, "-starts_at", page_size + 1, offset=start)
        found = Activity.objects.filter(pk__in=ids).select_related(*related)
        rows = list(found.order_by("-starts_at", "-id"))
    return rows[:page_size], len(rows) > page_size


def customer_activities(customer_id: int, limit: int) -> list:
    """The newest activities of one customer the viewer may see already (the 360 checked),
    as plain values for the timeline: one query."""
    return list(
        Activity.objects.filter(customer_id=customer_id)
        .exclude(status=ActivityStatus.CANCELLED)
        .order_by("-starts_at", "-id")
        .values("id", "kind", "status", "starts_at", "subject", "outcome", "channel")[:limit]
    )


def lead_activities(*, viewer: policy.Viewer, lead: Lead, limit: int) -> list[Activity]:
    """The newest activities about a lead the viewer may see already
    (``lead_get_for_user``), those in the viewer's scope: one query along the lead's
    index."""
    found = activities_visible(viewer).filter(lead=lead).select_related("owner__profile")
    return list(found.order_by("-starts_at", "-id")[:limit])


def person_name(user) -> str:
    """A user's display name, or their user name."""
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return (profile and profile.display_name) or user.get_username()


def present_activity(activity: Activity) -> dict:
    """An activity as the API shows it (participants and attachments prefetched or read)."""
    return {
        "id": activity.pk,
        "kind": activity.kind,
        "customer_id": activity.customer_id,
        "customer_name": activity.about_name() if activity.customer_id else "",
        "lead_id": activity.lead_id,
        # Named only about a lead alone: after conversion the activity is the customer's.
        "lead_name": activity.about_name() if activity.customer_id is None else "",
        "opportunity_id": activity.opportunity_id,
        "owner_id": activity.owner_id,
        "owner_name": person_name(activity.owner),
        "status": activity.status,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "due_on": activity.due_on,
        "completed_at": activity.completed_at,
        "channel": activity.channel,
        "subject": activity.subject,
        "description": activity.description,
        "outcome": activity.outcome,
        "participant_ids": sorted(p.pk for p in activity.participants.all()),
        "attachments": list(activity.attachments.all()),
        "version": activity.version,
        "created_at": activity.created_at,
        "updated_at": activity.updated_at,
    }


# What a read of activities shows of their customers: the notes of the conversations.
READ_FIELDS = ["activities"]


def audit_activity_read(
    viewer: policy.Viewer, activities: list[Activity], context: RequestContext | None
) -> None:
    """Record that the viewer read these activities (one entry naming their customers, one
    naming the leads of those about a lead alone)."""
    if context is None or not activities:
        return  # a write's answer shows what the caller just sent; the write is audited
    customers = sorted({a.customer_id for a in activities if a.customer_id is not None})
    leads = sorted({a.lead_id for a in activities if a.customer_id is None and a.lead_id})
    if customers:
        record(viewer.user, AuditAction.READ, "customer", customers, READ_FIELDS, context)
    if leads:
        record(viewer.user, AuditAction.READ, "lead", leads, READ_FIELDS, context)


def activity_detail_for_user(
    *, viewer: policy.Viewer, activity_id: int, context: RequestContext | None = None
) -> dict:
    """One activity in the viewer's scope, as the API shows it; the read is audited when a
    ``context`` is given."""
    policy.require(viewer, "activity.view")
    activity = (
        activities_visible(viewer)
        .select_related("customer", "lead", "owner__profile")
        .prefetch_related("participants", "attachments")
        .get(pk=activity_id)
    )
    audit_activity_read(viewer, [activity], context)
    return present_activity(activity)


def activity_page_for_user(
    *,
    viewer: policy.Viewer,
    filters: ActivityFilter,
    page: int,
    page_size: int,
    context: RequestContext,
) -> dict:
    """A page of the viewer's activities as the API shows them; audited."""
    rows, has_next = activity_list_for_user(
        viewer=viewer, filters=filters, page=page, page_size=page_size
    )
    audit_activity_read(viewer, rows, context)
    prefetch_related_objects(rows, "participants", "attachments")
    return {
        "results": [present_activity(a) for a in rows],
        "page": page,
        "page_size": page_size,
        "has_next": has_next,
    }
