"""REST endpoints of follow-up visits and care reminders: thin handlers that parse, call
a service or selector, and return."""

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Query, Router, Status

from guanxi.api_types import RecordId
from guanxi.customers.api import expected_version
from guanxi.request_context import context_of, viewer_of
from guanxi.service import care, follow_up_selectors, follow_ups, greetings
from guanxi.service.care_models import CareHoliday, FollowUp, FollowUpReason
from guanxi.service.care_schemas import (
    CareLineOut,
    CoverageQuery,
    FollowUpCoverageOut,
    FollowUpOut,
    FollowUpQuery,
    FollowUpRuleIn,
    FollowUpRuleOut,
    GreetIn,
    GreetingDayIn,
    GreetingDayOut,
    GreetingIn,
    GreetingOut,
    MarkedIn,
    OutcomeIn,
)

CHANNEL = "api"
follow_ups_router = Router(tags=["service"])
care_router = Router(tags=["service"])


def follow_up_out(f: FollowUp) -> dict:
    """The fields of ``FollowUpOut`` (activity and customer read with it)."""
    return {
        "id": f.pk,
        "customer_id": f.customer_id,
        "customer_name": f.customer.name,
        "reason": f.reason,
        "reason_label": str(FollowUpReason(f.reason).label),
        "activity_id": f.activity_id,
        "owner_id": f.activity.owner_id,
        "due_on": f.activity.due_on,
        "status": f.activity.status,
        "outcome": f.outcome,
        "attempts": f.attempts,
        "case_id": f.case_id,
        "version": f.version,
    }


@follow_ups_router.get("", response=list[FollowUpOut])
def list_follow_ups(request: HttpRequest, query: Query[FollowUpQuery]):
    """Follow-up visits of your scope (open by default), the earliest due first (at most
    200)."""
    found = follow_up_selectors.follow_ups_for_user(viewer=viewer_of(request), status=query.status)
    return [follow_up_out(f) for f in found[:200]]


@follow_ups_router.get("/coverage", response=list[FollowUpCoverageOut])
def coverage(request: HttpRequest, query: Query[CoverageQuery]):
    """Coverage and timeliness of the visits due in a period, per branch, team or owner."""
    lines = follow_up_selectors.follow_up_coverage(
        viewer=viewer_of(request), start=query.start, end=query.end, by=query.by
    )
    return [
        {**line.__dict__, "coverage": line.coverage, "timeliness": line.timeliness}
        for line in lines
    ]


@follow_ups_router.get("/rules", response=list[FollowUpRuleOut])
def list_rules(request: HttpRequest):
    """The new-customer and complaint follow-up rules (periodic visits: contact rules)."""
    return [r.__dict__ for r in follow_ups.follow_up_rules_for_user(viewer=viewer_of(request))]


@follow_ups_router.put("/rules/{reason}", response=FollowUpRuleOut)
def set_rule(request: HttpRequest, reason: str, payload: FollowUpRuleIn):
    """Set a rule's days and whether it schedules visits; version 0 for a default."""
    rule = follow_ups.follow_up_rule_set(
        viewer=viewer_of(request), reason=reason, days=payload.days, active=payload.active,
        expected_version=payload.version, context=context_of(request, CHANNEL),
    )  # fmt: skip
    return rule.__dict__


@follow_ups_router.post("/{int:follow_up_id}/outcome", response=FollowUpOut)
def record_outcome(request: HttpRequest, follow_up_id: RecordId, payload: OutcomeIn):
    """Record the visit's outcome; carries the version. An issue found opens a case."""
    version = expected_version(request, payload.version)
    found = follow_ups.follow_up_record(
        viewer=viewer_of(request), follow_up_id=follow_up_id, outcome=payload.outcome,
        note=payload.note, expected_version=version, context=context_of(request, CHANNEL),
    )  # fmt: skip
    return follow_up_out(found)


def _line_out(line: care.CareLine) -> dict:
    return {
        "kind": line.kind, "kind_label": line.kind_label, "customer_id": line.customer_id,
        "customer_name": line.customer_name, "on_date": line.on_date,
        "occasion": line.occasion, "detail": line.detail, "status": line.status,
        "version": line.version, "birthday": line.birthday, "has_email": line.has_email,
    }  # fmt: skip


@care_router.get("", response=list[CareLineOut])
def list_care(request: HttpRequest):
    """Today's care list: your customers' occasions of this week, greeted or not."""
    lines = care.care_list_for_user(viewer=viewer_of(request), context=context_of(request, CHANNEL))
    return [_line_out(line) for line in lines]


@care_router.post("/send", response=CareLineOut)
def send_greeting(request: HttpRequest, payload: GreetIn):
    """E-mail the greeting (in the language asked) to the customer; once per occasion."""
    line = care.care_greet(
        viewer=viewer_of(request), customer_id=payload.customer_id, occasion=payload.occasion,
        channel="email", language=payload.language, expected_version=payload.version,
        context=context_of(request, CHANNEL),
    )  # fmt: skip
    return _line_out(line)


@care_router.post("/phoned", response=CareLineOut)
def mark_phoned(request: HttpRequest, payload: MarkedIn):
    """Mark the occasion done by phone; once per occasion."""
    line = care.care_greet(
        viewer=viewer_of(request), customer_id=payload.customer_id, occasion=payload.occasion,
        channel="phone", expected_version=payload.version, context=context_of(request, CHANNEL),
    )  # fmt: skip
    return _line_out(line)


@care_router.get("/greetings", response=list[GreetingOut])
def list_greetings(request: HttpRequest):
    """Every occasion's greeting in Chinese and English, as it would be sent now."""
    return [asdict(g) for g in greetings.greetings_for_user(viewer=viewer_of(request))]


@care_router.put("/greetings/{kind}/{language}", response=GreetingOut)
def set_greeting(request: HttpRequest, kind: str, language: str, payload: GreetingIn):
    """Set an occasion's greeting in a language (administrators); version 0 replaces the
    built-in one, a stale version changes nothing (409)."""
    stored = greetings.greeting_template_set(
        viewer=viewer_of(request), kind=kind, language=language, subject=payload.subject,
        body=payload.body, expected_version=payload.version,
        context=context_of(request, CHANNEL),
    )  # fmt: skip
    return asdict(greetings.Greeting.of(stored))


def _day_out(day: CareHoliday) -> dict:
    return {"id": day.pk, "day": day.day, "name": day.name}


@care_router.get("/greeting-days", response=list[GreetingDayOut])
def list_greeting_days(request: HttpRequest):
    """The days administrators added for holiday greetings, in date order."""
    return [_day_out(d) for d in greetings.greeting_days_for_user(viewer=viewer_of(request))]


@care_router.post("/greeting-days", response={201: GreetingDayOut})
def add_greeting_day(request: HttpRequest, payload: GreetingDayIn):
    """Add a day for holiday greetings (administrators); one greeting a day."""
    added = greetings.greeting_day_add(
        viewer=viewer_of(request), day=payload.day, name=payload.name,
        context=context_of(request, CHANNEL),
    )  # fmt: skip
    return Status(201, _day_out(added))


@care_router.delete("/greeting-days/{int:day_id}", response={204: None})
def remove_greeting_day(request: HttpRequest, day_id: RecordId):
    """Remove a day an administrator added (administrators)."""
    greetings.greeting_day_remove(
        viewer=viewer_of(request), day_id=day_id, context=context_of(request, CHANNEL)
    )
    return Status(204, None)
