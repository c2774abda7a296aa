"""Conversion: a lead becomes a customer — an existing one matched on ID number, phone or
e-mail, never a duplicate, else a new one — and, if asked, an opportunity, in one
transaction; the activities about the lead become the customer's history.

The match is a search by the lead's identifying values, so it is audited as one. A match
the converter may not see is not linked and not duplicated either: the conversion is
refused (409 naming the matching field), telling no more than that such a customer exists.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.activities.about_lead import activities_to_customer
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.concurrency import DuplicateValue
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import Customer, SourceChannel
from guanxi.customers.services import customer_create
from guanxi.leads import events, workflow
from guanxi.leads.models import Lead, LeadSource, LeadStatus
from guanxi.leads.selectors import lead_get_for_user
from guanxi.leads.services import move_status
from guanxi.leads.trail import publish_lead
from guanxi.sales.inputs import OpportunityFields
from guanxi.sales.services import opportunity_create

# The identifying fields a lead is matched on, the most certain first.
MATCHED_ON = ("id_number", "phone", "email")
CUSTOMER_SOURCE = {
    LeadSource.WALK_IN: SourceChannel.BRANCH,
    LeadSource.PHONE: SourceChannel.PHONE,
    LeadSource.WEB_FORM: SourceChannel.ONLINE,
    LeadSource.REFERRAL: SourceChannel.REFERRAL,
    LeadSource.CAMPAIGN: SourceChannel.CAMPAIGN,
    LeadSource.EVENT: SourceChannel.CAMPAIGN,
}


@dataclass(frozen=True)
class OpportunityWish:
    """The opportunity to open with the conversion (name defaults to the lead's)."""

    name: str = ""
    amount: Decimal = Decimal(0)
    product_id: int | None = None
    expected_close_date: date | None = None


@dataclass(frozen=True)
class Conversion:
    """What a conversion did."""

    lead: Lead
    customer: Customer
    customer_created: bool
    opportunity_id: int | None


def _matching_customer(
    viewer: policy.Viewer, lead: Lead, context: RequestContext
) -> Customer | None:
    """The existing customer the lead is, by its most certain identifying value; one the
    viewer may not see refuses the conversion. Audited as an identifying search."""
    values = {name: getattr(lead, name) for name in MATCHED_ON if getattr(lead, name)}
    if not values:
        return None
    matching = Q()
    for name, value in values.items():
        matching |= Q(**{name: value})
    in_scope = policy.scope_condition(**policy.scope_values(viewer))
    visible = Case(When(in_scope, then=Value(True)), default=Value(False))
    rows = list(
        Customer.objects.filter(matching).annotate(visible=visible).order_by("-visible", "pk")[:20]
    )
    record(
        viewer.user, AuditAction.SEARCH, "customer", [c.pk for c in rows], sorted(values),
        context, changes={name: [None, value] for name, value in values.items()},
    )  # fmt: skip
    for name, value in values.items():
        found = [c for c in rows if getattr(c, name) == value]
        if found and found[0].visible:
            return found[0]
        if found:
            message = _("A customer outside your portfolio has this value; ask their owner.")
            raise DuplicateValue(name, message)
    return None


def lead_convert(
    *,
    viewer: policy.Viewer,
    lead_id: int,
    expected_version: int,
    context: RequestContext,
    opportunity: OpportunityWish | None = None,
) -> Conversion:
    """Convert an open lead: link the customer it matches or create one (of its branch and
    owner), optionally open an opportunity for it, give the lead's activities to the
    customer, and mark the lead converted. A lead converted already, or closed, is a 422
    naming ``status``; a stale version a 409; either way nothing is written."""
    lead = lead_get_for_user(viewer=viewer, lead_id=lead_id)
    policy.require(viewer, "lead.convert", lead)
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("This lead was converted already.")]})
    if not workflow.may_move(lead.status, LeadStatus.CONVERTED):
        message = _("A lead that is %(status)s cannot be converted; reopen it first.")
        raise ValidationError({"status": [message % {"status": lead.get_status_display()}]})
    if lead.owner_id is None:
        raise ValidationError({"owner_id": [_("Assign the lead to an account manager first.")]})
    with transaction.atomic():
        customer = _matching_customer(viewer, lead, context)
        created = customer is None
        if customer is None:
            customer = customer_create(
                viewer=viewer, fields=_customer_fields(lead), context=context
            )
        opportunity_id = None
        if opportunity is not None:
            opened = opportunity_create(
                viewer=viewer,
                fields=OpportunityFields(
                    name=opportunity.name.strip() or lead.name,
                    customer_id=customer.pk,
                    owner_id=lead.owner_id if lead.owner_id else None,
                    amount=opportunity.amount,
                    product_id=opportunity.product_id,
                    expected_close_date=opportunity.expected_close_date,
                ),
                context=context,
            )
            opportunity_id = opened.pk
        extra = {
            "customer_id": customer.pk,
            "opportunity_id": opportunity_id,
            "converted_at": timezone.now(),
        }
        # Its activities become the customer's: counted in the conversion's audit entry.
        moved = activities_to_customer(lead=lead, customer_id=customer.pk)
        side_effects = {"activities_to_customer": [None, moved]} if moved else None
        move_status(
            viewer, lead, LeadStatus.CONVERTED, "", expected_version, context, extra, side_effects
        )
        event = events.LeadConverted(
            customer_id=customer.pk, customer_created=created, opportunity_id=opportunity_id
        )
        publish_lead(event, viewer, lead)
    return Conversion(lead, customer, created, opportunity_id)


def _customer_fields(lead: Lead) -> CustomerFields:
    values = {
        "name": lead.name,
        "branch_id": lead.branch_id,
        "owner_id": lead.owner_id,
        "source_channel": CUSTOMER_SOURCE.get(LeadSource(lead.source), ""),
        "phone": lead.phone,
        "email": lead.email,
        "id_number": lead.id_number,
        "occupation": lead.industry,
    }
    return CustomerFields.from_mapping({k: v for k, v in values.items() if v not in ("", None)})
