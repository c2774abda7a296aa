"""REST endpoints for activities, contact rules and my day: parse, call, return."""

from django.http import HttpRequest
from ninja import File, Query, Router, Status, UploadedFile

from guanxi.activities import attachments, contact_rules, my_day, selectors, services
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.schemas import (
    ActivityIn,
    ActivityOut,
    ActivityPageOut,
    ActivityPatch,
    ActivityQuery,
    AttachmentOut,
    CompleteIn,
    ContactRuleIn,
    ContactRuleOut,
    MyDayOut,
    RescheduleIn,
)
from guanxi.api_types import RecordId
from guanxi.customers.api import expected_version
from guanxi.request_context import context_of, viewer_of

router = Router(tags=["activities"])
my_day_router = Router(tags=["activities"])


def _detail(request: HttpRequest, activity_id: int) -> dict:
    # The answer of a write: what was written, not a read to audit.
    return selectors.activity_detail_for_user(viewer=viewer_of(request), activity_id=activity_id)


@router.get("", response=ActivityPageOut)
def list_activities(request: HttpRequest, query: Query[ActivityQuery]):
    """The activities of your customers and of your leads not converted yet, newest first,
    with filters (``lead_id``: one lead's, as on its page)."""
    params = query.dict()
    page, page_size = params.pop("page"), params.pop("page_size")
    filters = selectors.ActivityFilter(**{k: v for k, v in params.items() if v is not None})
    return selectors.activity_page_for_user(
        viewer=viewer_of(request),
        filters=filters,
        page=page,
        page_size=page_size,
        context=context_of(request, "api"),
    )


@router.post("", response={201: ActivityOut})
def log_activity(request: HttpRequest, payload: ActivityIn):
    """Log a visit, call, meeting, e-mail or note (done), or plan one or a task (open),
    about a customer or a lead not converted yet."""
    given = {k: v for k, v in payload.dict().items() if v is not None}
    activity = services.activity_log(
        viewer=viewer_of(request),
        fields=ActivityFields.from_mapping(given),
        context=context_of(request, "api"),
    )
    return Status(201, _detail(request, activity.pk))


@router.get("/contact-rules", response=list[ContactRuleOut])
def list_contact_rules(request: HttpRequest):
    """How often each value tier must be contacted, and how."""
    return contact_rules.contact_rules_for_user(viewer=viewer_of(request))


@router.put("/contact-rules/{value_tier}", response=ContactRuleOut)
def set_contact_rule(request: HttpRequest, value_tier: str, payload: ContactRuleIn):
    """Set a tier's contact rule (administrators); version 0 for a tier on its default."""
    return contact_rules.contact_rule_set(
        viewer=viewer_of(request),
        value_tier=value_tier,
        every_days=payload.every_days,
        kind=payload.kind,
        expected_version=payload.version,
        context=context_of(request, "api"),
    )


@router.get("/{int:activity_id}", response=ActivityOut)
def get_activity(request: HttpRequest, activity_id: RecordId):
    """One activity of your customers or leads (the read is audited)."""
    return selectors.activity_detail_for_user(
        viewer=viewer_of(request), activity_id=activity_id, context=context_of(request, "api")
    )


@router.patch("/{int:activity_id}", response=ActivityOut)
def update_activity(request: HttpRequest, activity_id: RecordId, payload: ActivityPatch):
    """Change fields of an activity; a stale version changes nothing."""
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    services.activity_update(
        viewer=viewer_of(request),
        activity_id=activity_id,
        fields=ActivityFields.from_mapping(data),
        expected_version=version,
        context=context_of(request, "api"),
    )
    return _detail(request, activity_id)


@router.post("/{int:activity_id}/reschedule", response=ActivityOut)
def reschedule_activity(request: HttpRequest, activity_id: RecordId, payload: RescheduleIn):
    """Move an open item to another time or due date."""
    services.task_reschedule(
        viewer=viewer_of(request),
        activity_id=activity_id,
        expected_version=expected_version(request, payload.version),
        starts_at=payload.starts_at,
        due_on=payload.due_on,
        context=context_of(request, "api"),
    )
    return _detail(request, activity_id)


@router.post("/{int:activity_id}/complete", response=ActivityOut)
def complete_activity(request: HttpRequest, activity_id: RecordId, payload: CompleteIn):
    """Mark an open task or planned activity done."""
    services.task_complete(
        viewer=viewer_of(request),
        activity_id=activity_id,
        expected_version=expected_version(request, payload.version),
        outcome=payload.outcome,
        context=context_of(request, "api"),
    )
    return _detail(request, activity_id)


@router.post("/{int:activity_id}/attachments", response={201: AttachmentOut})
def add_attachment(request: HttpRequest, activity_id: RecordId, file: File[UploadedFile]):
    """Attach a file (size and type limited: GUANXI_ATTACHMENT_MAX_BYTES and _TYPES)."""
    attachment = attachments.attachment_add(
        viewer=viewer_of(request),
        activity_id=activity_id,
        upload=file,
        context=context_of(request, "api"),
    )
    return Status(201, attachment)


@my_day_router.get("", response=MyDayOut)
def get_my_day(request: HttpRequest):
    """Today's agenda, overdue items, customers newly at churn risk, neglected top-tier
    customers and birthdays, each of your portfolio."""
    return my_day.my_day_for_user(viewer=viewer_of(request), context=context_of(request, "api"))
