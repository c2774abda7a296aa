"""Handing a colleague's portfolio to others in one audited step (someone leaves or moves).

Every kind of record they hold (``guanxi.org.portfolio``) goes to one receiver, or each
kind to its own. A receiver is an active colleague within the hander's reach who may own
what they receive — an account manager or team lead of the records' branch, as a single
change of owner asks (``customers.owners``, ``leads.assignment``, ``sales.services``);
the records must be within the hander's reach as those single changes ask too. Anything
refused, nothing moves.

Each kind moves in a fixed number of set statements, whatever the size of the portfolio:
the audit entries (one naming every customer, one per other record), the lead assignment
history and the domain events are written by INSERT ... SELECT from the same query that
then moves the records, all in one transaction.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities.events import ActivityChanged
from guanxi.audit.models import AuditAction
from guanxi.audit.services import (
    RequestContext,
    created,
    record,
    record_customer_set,
    record_selected,
)
from guanxi.core.events import publish, publish_selected
from guanxi.core.insert_select import insert_selected
from guanxi.customers.events import CustomerUpdated
from guanxi.customers.models import Customer
from guanxi.leads.events import LeadAssigned
from guanxi.leads.models import AssignmentMethod, LeadAssignment
from guanxi.org.events import PortfolioHandedOver
from guanxi.org.models import PortfolioHandover, Profile
from guanxi.org.portfolio import KINDS, branch_of, held, portfolio_counts, records_text
from guanxi.org.selectors import staff_get_for_user
from guanxi.policy.activities import activity_condition
from guanxi.sales.events import OpportunityUpdated
from guanxi.sales.models import Opportunity, OpportunityMember

MAX_REASON = 300

# The action a single change of each kind's owner asks of the records, as they are.
REACH = {
    "customers": "customer.assign_owner",
    "leads": "lead.assign",
    "opportunities": "opportunity.edit",
    "opportunity_teams": "opportunity.edit",
    "activities": "activity.edit",
}


def portfolio_handover_check(
    *,
    viewer: policy.Viewer,
    from_user_id: int,
    to_user_id: int | None,
    targets: dict[str, int] | None = None,
) -> dict[str, dict]:
    """What a handover would move, kind by kind: ``{kind: {"count", "to_user_id"}}`` of the
    kinds the colleague holds; a ``ValidationError`` naming each field refused (the preview
    of the handover page asks this, the handover itself asks it again in its transaction)."""
    policy.require(viewer, "portfolio.hand_over")
    profile = staff_get_for_user(viewer=viewer, user_id=from_user_id, action="portfolio.hand_over")
    return _check(viewer, profile, to_user_id, targets or {})


def portfolio_hand_over(
    *,
    viewer: policy.Viewer,
    from_user_id: int,
    to_user_id: int | None,
    reason: str,
    context: RequestContext,
    targets: dict[str, int] | None = None,
) -> PortfolioHandover:
    """Give everything ``from_user_id`` holds to ``to_user_id`` (each kind in ``targets`` to
    its own receiver); returns the handover with the numbers moved.

    A colleague out of the viewer's reach is a ``Profile.DoesNotExist`` (404); a receiver
    or record refused, a missing reason, or nothing to hand over is a ``ValidationError``
    naming the field, and nothing changes.
    """
    policy.require(viewer, "portfolio.hand_over")
    profile = staff_get_for_user(viewer=viewer, user_id=from_user_id, action="portfolio.hand_over")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the portfolio is handed over.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("At most 300 characters.")]})
    with transaction.atomic():
        # Two handovers of one colleague queue here rather than interleave.
        Profile.objects.select_for_update().filter(pk=profile.pk).exists()
        plan = _check(viewer, profile, to_user_id, targets or {})
        if not plan:
            raise ValidationError({"from_user": [_("This colleague holds nothing to hand over.")]})
        receivers = {p["to_user_id"] for p in plan.values()}
        # Locked, so a receiver cannot be deactivated while records move to them.
        users = get_user_model().objects.select_for_update().filter(pk__in=receivers)
        if len(users.filter(is_active=True).values_list("pk", flat=True)) != len(receivers):
            raise ValidationError({"to_user_id": [_("There is no active user with this ID.")]})
        now = timezone.now()
        handover = PortfolioHandover.objects.create(
            from_user_id=profile.user_id,
            to_user_id=to_user_id,
            targets={kind: p["to_user_id"] for kind, p in plan.items()},
            counts={kind: p["count"] for kind, p in plan.items()},
            reason=reason,
            handed_over_by_id=viewer.user_id,
            handed_over_at=now,
        )
        values = {
            "from_user_id": profile.user_id,
            "to_user_id": to_user_id,
            "targets": handover.targets,
            "counts": handover.counts,
            "reason": reason,
        }
        record(
            viewer.user, AuditAction.CREATE, "portfolio_handover", [handover.pk], sorted(values),
            context, changes=created(values), name=str(profile),
        )  # fmt: skip
        move = _Move(viewer, handover, context, now)
        for kind, part in plan.items():
            getattr(move, kind)(part["to_user_id"])
        event = PortfolioHandedOver(
            from_user_id=profile.user_id, to_user_id=handover.to_user_id, counts=handover.counts
        )
        publish(event, actor=viewer.user, record=handover)
    return handover


def _check(
    viewer: policy.Viewer, profile: Profile, to_user_id: int | None, targets: dict[str, int]
) -> dict[str, dict]:
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(targets) - set(KINDS))
    if unknown:
        errors["targets"] = [_("Unknown kinds: %(kinds)s") % {"kinds": ", ".join(unknown)}]
    counts = portfolio_counts([profile.user_id])[profile.user_id]
    receivers = {kind: targets.get(kind, to_user_id) for kind in KINDS if counts[kind]}
    given = {i for i in [to_user_id, *receivers.values()] if isinstance(i, int)}
    profiles = {
        p.user_id: p
        for p in Profile.objects.select_related("user").filter(
            user_id__in=[i for i in given if 0 < i < 2**63]
        )
    }
    if to_user_id is not None or not targets:
        receiver = profiles.get(to_user_id) if to_user_id is not None else None
        _check_receiver(viewer, profile, receiver, "to_user_id", errors)
    plan: dict[str, dict] = {}
    for kind, receiver_id in receivers.items():
        field = f"targets.{kind}" if kind in targets else "to_user_id"
        receiver = profiles.get(receiver_id) if isinstance(receiver_id, int) else None
        if field != "to_user_id":
            _check_receiver(viewer, profile, receiver, field, errors)
        if field in errors or receiver is None:
            errors.setdefault(field, [_("Choose who receives these records.")])
            continue
        if kind != "opportunity_teams" and not policy.may_own_customers(receiver.roles):
            errors[field] = [_("The receiver must be an account manager or team lead.")]
            continue
        _check_records(viewer, kind, profile.user_id, receiver, field, errors)
        plan[kind] = {"count": counts[kind], "to_user_id": receiver.user_id}
    if errors:
        raise ValidationError(errors)
    return plan


def _check_receiver(
    viewer: policy.Viewer, giver: Profile, receiver: Profile | None, field: str, errors: dict
) -> None:
    if receiver is None or not receiver.user.is_active:
        errors[field] = [_("There is no active user with this ID.")]
    elif receiver.user_id == giver.user_id:
        errors[field] = [_("Choose a colleague other than the one handing over.")]
    elif not policy.allows(viewer, "portfolio.hand_over", receiver):
        errors[field] = [_("You cannot hand records over to this colleague.")]


def _check_records(
    viewer: policy.Viewer, kind: str, from_user_id: int, receiver: Profile, field: str,
    errors: dict,
) -> None:  # fmt: skip
    """The records must be of the receiver's branch (opportunity seats excepted: any
    colleague may help) and within the viewer's reach — one counting query each."""
    rows = held(kind, [from_user_id])
    if kind != "opportunity_teams":
        placed = rows.alias(record_branch=branch_of(kind))
        elsewhere = placed.exclude(record_branch=receiver.branch_id).count()
        if elsewhere:
            message = _("Not of the receiver's branch: %(records)s.")
            errors.setdefault(field, []).append(
                message % {"records": records_text(kind, elsewhere)}
            )
            return
    condition = (
        # An activity about a lead alone is reached through its lead (one colleague's open
        # activities: narrow enough for the OR across the two).
        activity_condition(viewer, REACH[kind])
        if kind == "activities"
        else policy.action(REACH[kind]).condition(viewer)
    )
    if condition is None:
        return
    if kind == "opportunity_teams":
        rows = Opportunity.objects.filter(pk__in=rows.values("opportunity_id"))
    beyond = rows.exclude(condition).count()
    if beyond:
        message = _("Beyond your reach: %(records)s; an administrator can move them.")
        errors[kind] = [message % {"records": records_text(kind, beyond)}]


class _Move:
    """The set statements that move each kind: history and audit first, from the query that
    still selects the records, then the change of owner (a new version each, so an editor
    holding the old one gets a conflict instead of putting the old owner back)."""

    def __init__(self, viewer, handover: PortfolioHandover, context, now) -> None:
        self.viewer, self.handover, self.context, self.now = viewer, handover, context, now
        self.from_user_id = handover.from_user_id

    def _changes(self, to_user_id: int) -> dict:
        return {"owner_id": [self.from_user_id, to_user_id]}

    def _audit_each(self, object_type, rows, name, fields, changes) -> None:
        named = rows.values(object_id=Cast("pk", CharField()), object_name=F(name))
        record_selected(
            self.viewer.user, AuditAction.UPDATE, object_type, fields, self.context,
            rows=named, changes=changes,
        )  # fmt: skip

    def _reassign(self, rows, to_user_id: int) -> None:
        rows.update(owner_id=to_user_id, version=F("version") + 1, updated_at=self.now)

    def customers(self, to_user_id: int) -> None:
        rows = held("customers", [self.from_user_id])
        sql, params = rows.values("id").order_by().query.sql_with_params()
        record_customer_set(
            self.viewer.user, AuditAction.UPDATE, "portfolio_handover", self.handover.pk,
            ["owner_id"], self.context, customers_sql=sql, params=list(params),
            changes=self._changes(to_user_id),
        )  # fmt: skip
        publish_selected(
            CustomerUpdated, actor=self.viewer.user, record_model=Customer,
            rows=rows.values(record_id=F("pk")), shared={"fields": ["owner_id"]},
        )  # fmt: skip
        self._reassign(rows, to_user_id)

    def leads(self, to_user_id: int) -> None:
        rows = held("leads", [self.from_user_id])
        method = AssignmentMethod.HANDOVER.value
        insert_selected(
            LeadAssignment,
            rows.values(lead_id=F("pk")),
            {
                "from_owner_id": self.from_user_id,
                "to_owner_id": to_user_id,
                "method": method,
                "reason": self.handover.reason,
                "assigned_at": self.now,
                "assigned_by_id": self.viewer.user_id,
            },
        )
        changes = {**self._changes(to_user_id), "method": [None, method]}
        self._audit_each("lead", rows, "name", ["method", "owner_id"], changes)
        publish_selected(
            LeadAssigned, actor=self.viewer.user, record_model=rows.model,
            rows=rows.values(record_id=F("pk")),
            shared={"from_owner_id": self.from_user_id, "to_owner_id": to_user_id,
                    "method": method},
        )  # fmt: skip
        self._reassign(rows, to_user_id)

    def opportunities(self, to_user_id: int) -> None:
        rows = held("opportunities", [self.from_user_id])
        self._audit_each("opportunity", rows, "name", ["owner_id"], self._changes(to_user_id))
        publish_selected(
            OpportunityUpdated, actor=self.viewer.user, record_model=Opportunity,
            rows=rows.values(record_id=F("pk")), shared={"fields": ["owner_id"]},
        )  # fmt: skip
        self._reassign(rows, to_user_id)

    def opportunity_teams(self, to_user_id: int) -> None:
        """The seat goes to the receiver; one who has a seat already gets its share added."""
        seats = held("opportunity_teams", [self.from_user_id])
        opportunities = Opportunity.objects.filter(pk__in=seats.values("opportunity_id"))
        self._audit_each(
            "opportunity", opportunities, "name", ["team"],
            {"team": [self.from_user_id, to_user_id]},
        )  # fmt: skip
        opportunities.update(version=F("version") + 1, updated_at=self.now)
        theirs = OpportunityMember.objects.filter(user_id=to_user_id)
        leaving = OpportunityMember.objects.filter(
            opportunity_id=OuterRef("opportunity_id"), user_id=self.from_user_id
        ).values("share")[:1]
        theirs.filter(opportunity_id__in=seats.values("opportunity_id")).update(
            share=F("share") + Subquery(leaving)
        )
        seats.filter(opportunity_id__in=theirs.values("opportunity_id")).delete()
        seats.update(user_id=to_user_id)

    def activities(self, to_user_id: int) -> None:
        rows = held("activities", [self.from_user_id])
        self._audit_each("activity", rows, "subject", ["owner_id"], self._changes(to_user_id))
        # Their reminders follow: the calendar re-syncs each changed activity's reminders.
        publish_selected(
            ActivityChanged, actor=self.viewer.user, record_model=rows.model,
            rows=rows.values("customer_id", "lead_id", "status", record_id=F("pk")),
            shared={"fields": ["owner_id"]},
        )  # fmt: skip
        self._reassign(rows, to_user_id)
