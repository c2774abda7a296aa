"""Opening and editing cases, giving them to agents and queues, and the reference data
administrators keep for them (categories, root causes).

Every function takes the acting ``Viewer``, asks the permission policy, and writes its
change, its audit entry and its domain event in one transaction. A new case gets its SLA
policy (type × priority × the customer's tier) and deadlines, and a queue: the one named,
else its category's, else that of the department owning its type (``GUANXI_SERVICE``).
State moves are ``guanxi.service.case_transitions``.
"""

import uuid
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, updated
from guanxi.concurrency import save_if_version
from guanxi.customers.models import Customer, Product
from guanxi.service import case_clock, events
from guanxi.service.case_models import Case, CaseAssignment, CaseCategory, ServiceQueue
from guanxi.service.case_selectors import case_get_workable_for_user
from guanxi.service.case_trail import audit, publish_case
from guanxi.service.case_types import CaseChannel, CasePriority, CaseType
from guanxi.service.config import service_setting
from guanxi.service.sla_policies import sla_policy_resolve
from guanxi.storable import check_storable

EDITABLE = ("subject", "description", "priority", "channel", "category_id", "product_id")


def _choose(name: str, value: object, allowed: list[str], errors: dict) -> None:
    if value not in allowed:
        errors[name] = [_("Choose one of: %s.") % ", ".join(allowed)]


def _exists(name: str, model, value: object, errors: dict, message: str) -> None:
    if value is None:
        return
    valid = isinstance(value, int) and not isinstance(value, bool)
    if not valid or not model.objects.filter(pk=value).exists():
        errors[name] = [message]


def _clean(data: dict, errors: dict) -> None:
    """Check the given values of ``data``, normalising text in place."""
    for name in ("subject", "description"):
        if name in data:
            data[name] = (data[name] or "").strip()
    if "subject" in data and not data["subject"]:
        errors["subject"] = [_("A case needs a subject.")]
    if "case_type" in data:
        _choose("case_type", data["case_type"], CaseType.values, errors)
    if "channel" in data:
        _choose("channel", data["channel"], CaseChannel.values, errors)
    if "priority" in data:
        _choose("priority", data["priority"], CasePriority.values, errors)
    _exists("category_id", CaseCategory, data.get("category_id"), errors,
            _("There is no case category with this ID."))  # fmt: skip
    _exists("product_id", Product, data.get("product_id"), errors,
            _("There is no product with this ID."))  # fmt: skip
    _exists("queue_id", ServiceQueue, data.get("queue_id"), errors,
            _("There is no service queue with this ID."))  # fmt: skip


def _check_agent(owner_id: int | None, errors: dict) -> None:
    """An agent must be an active member of staff."""
    if owner_id is None:
        return
    users = get_user_model().objects.filter(pk=owner_id, is_active=True, profile__isnull=False)
    if not users.exists():
        errors["owner_id"] = [_("There is no active member of staff with this ID.")]


def owning_queue(case_type: str, branch_id: int | None) -> ServiceQueue | None:
    """The queue of the department that owns ``case_type`` (the branch's, else head
    office's), if one is configured."""
    kind = service_setting("case_type_departments").get(case_type)
    if not kind:
        return None
    queues = ServiceQueue.objects.filter(kind=kind).order_by("pk")
    own = queues.filter(branch_id=branch_id).first() if branch_id is not None else None
    return own or queues.filter(branch__isnull=True).first()


def case_create(
    *,
    viewer: policy.Viewer,
    customer_id: int,
    case_type: str,
    channel: str,
    priority: str,
    subject: str,
    context: RequestContext,
    description: str = "",
    category_id: int | None = None,
    product_id: int | None = None,
    queue_id: int | None = None,
    owner_id: int | None = None,
    received_at: datetime | None = None,
) -> Case:
    """Open a case for a customer the viewer sees, with its SLA deadlines and queue; a
    service agent opening one keeps it unless they name another agent."""
    policy.require(viewer, "case.create")
    data = {
        "case_type": case_type, "channel": channel, "priority": priority, "subject": subject,
        "description": description, "category_id": category_id, "product_id": product_id,
        "queue_id": queue_id,
    }  # fmt: skip
    errors: dict = {}
    _clean(data, errors)
    _check_agent(owner_id, errors)
    visible = policy.customer_scope(viewer, Customer.objects.all())
    customer = visible.filter(pk=customer_id).only("pk", "branch_id", "value_tier").first()
    if customer is None:
        errors["customer_id"] = [_("There is no customer with this ID.")]
    if errors:
        raise ValidationError(errors)
    assert customer is not None
    now = timezone.now()
    received = received_at or now
    if data["queue_id"] is None and category_id is not None:
        data["queue_id"] = (
            CaseCategory.objects.filter(pk=category_id).values_list("default_queue_id", flat=True)
        ).first()
    if data["queue_id"] is None:
        owning = owning_queue(case_type, customer.branch_id)
        data["queue_id"] = owning.pk if owning else None
    if owner_id is None and policy.keeps_cases_they_open(viewer.roles):
        owner_id = viewer.user_id  # the agent who takes a call keeps the case they open
    case = Case(
        **data, customer_id=customer.pk, branch_id=customer.branch_id, owner_id=owner_id,
        created_by_id=viewer.user_id, created_at=received, number=uuid.uuid4().hex,
        tier_rank=case_clock.tier_rank(customer.value_tier),
    )  # fmt: skip
    check_storable(case, ["subject", "description"])
    sla_policy = sla_policy_resolve(
        case_type=case_type, priority=priority, value_tier=customer.value_tier
    )
    case_clock.start(case, sla_policy, received)
    with transaction.atomic():
        case.save()
        case.number = f"CS{timezone.localtime(received):%Y%m%d}{case.pk:07d}"
        case.save(update_fields=["number"])
        case.transitions.create(to_state=case.state, at=now, by_id=viewer.user_id)
        if case.queue_id or case.owner_id:
            CaseAssignment.objects.create(
                case=case, to_owner_id=case.owner_id, to_queue_id=case.queue_id, at=now,
                by_id=viewer.user_id,
            )  # fmt: skip
        values = {
            **data,
            "customer_id": customer.pk,
            "owner_id": owner_id,
            "sla_policy_id": case.sla_policy_id,
            "resolution_due": case.resolution_due,
        }
        audit(viewer, AuditAction.CREATE, case, created(values), context)
        event = events.CaseCreated(
            case_type=case_type, customer_id=customer.pk, queue_id=case.queue_id,
            owner_id=case.owner_id,
        )  # fmt: skip
        publish_case(event, viewer, case)
    return case


def case_update(
    *,
    viewer: policy.Viewer,
    case_id: int,
    changes: dict,
    expected_version: int,
    context: RequestContext,
) -> Case:
    """Change the given fields of a case (``EDITABLE``), refusing a stale version (409).
    The state, agent and queue change otherwise (transitions, assignment); the deadlines
    stay as the case was received."""
    case = case_get_workable_for_user(viewer=viewer, case_id=case_id, action="case.work")
    errors: dict = {
        n: [_("This field cannot be changed here.")] for n in changes if n not in EDITABLE
    }
    data = {k: v for k, v in changes.items() if k in EDITABLE}
    _clean(data, errors)
    if errors:
        raise ValidationError(errors)
    diff = updated(case, data)
    changed = list(diff)
    check_storable(case, changed)
    with transaction.atomic():
        save_if_version(case, expected_version, changed)
        if changed:
            audit(viewer, AuditAction.UPDATE, case, diff, context)
            publish_case(events.CaseUpdated(fields=sorted(changed)), viewer, case)
    return case


def case_assign(
    *,
    viewer: policy.Viewer,
    case_id: int,
    expected_version: int,
    context: RequestContext,
    owner_id: int | None = None,
    queue_id: int | None = None,
    reason: str = "",
) -> Case:
    """Give a case to an agent, a queue (a transfer between departments), or both; the
    move is kept as an assignment row. Giving it to a queue alone leaves it without an
    agent until one takes it."""
    case = case_get_workable_for_user(viewer=viewer, case_id=case_id, action="case.assign")
    reason = (reason or "").strip()
    errors: dict = {}
    if owner_id is None and queue_id is None:
        errors["owner_id"] = [_("Name an agent or a queue.")]
    _exists("queue_id", ServiceQueue, queue_id, errors,
            _("There is no service queue with this ID."))  # fmt: skip
    _check_agent(owner_id, errors)
    if len(reason) > 500:
        errors["reason"] = [_("At most 500 characters.")]
    if errors:
        raise ValidationError(errors)
    before_owner, before_queue = case.owner_id, case.queue_id
    new_queue = queue_id if queue_id is not None else before_queue
    new_owner = (
        owner_id if owner_id is not None else (None if queue_id is not None else before_owner)
    )
    if (new_owner, new_queue) == (before_owner, before_queue):
        raise ValidationError({"owner_id": [_("The case is with this agent and queue already.")]})
    case.owner_id, case.queue_id = new_owner, new_queue
    now = timezone.now()
    with transaction.atomic():
        save_if_version(case, expected_version, ["owner_id", "queue_id"])
        CaseAssignment.objects.create(
            case=case, from_owner_id=before_owner, to_owner_id=new_owner,
            from_queue_id=before_queue, to_queue_id=new_queue, reason=reason, at=now,
            by_id=viewer.user_id,
        )  # fmt: skip
        diff = {"owner_id": [before_owner, new_owner], "queue_id": [before_queue, new_queue]}
        audit(viewer, AuditAction.UPDATE, case, {k: v for k, v in diff.items() if v[0] != v[1]},
              context)  # fmt: skip
        event = events.CaseAssigned(
            from_owner_id=before_owner, to_owner_id=new_owner, from_queue_id=before_queue,
            to_queue_id=new_queue,
        )  # fmt: skip
        publish_case(event, viewer, case)
    return case
