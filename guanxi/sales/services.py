"""Changes to opportunities: create, edit, move through the stages, win, lose, team.

Every function takes the acting ``Viewer``, asks the permission policy, and writes its
change, its audit entry and its domain event in one transaction. Stage moves follow the one
table in ``guanxi.sales.workflow``; updates carry the version they were based on.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record, updated
from guanxi.concurrency import save_if_version
from guanxi.core.events import publish
from guanxi.customers.models import Customer, Holding, Product
from guanxi.insights.models import CrossSellSuggestion
from guanxi.org.models import Profile
from guanxi.sales import events, workflow
from guanxi.sales.inputs import EDITABLE, OpportunityFields, TeamMember
from guanxi.sales.models import LossReason, Opportunity, Pipeline, Stage, StageChange, StageKind
from guanxi.sales.selectors import default_pipeline, opportunity_get_editable_for_user
from guanxi.storable import EARLIEST_DATE, LATEST_DATE, MONEY_LIMIT, check_storable

CENTS = Decimal("0.01")
HUNDRED = Decimal(100)


def _clean_amount(value, errors: dict) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        errors["amount"] = [_("Give an amount in yuan.")]
    elif value < 0:
        errors["amount"] = [_("An amount cannot be negative.")]
    elif value >= MONEY_LIMIT or value != value.quantize(CENTS):
        errors["amount"] = [
            _("Amounts are kept exactly below %(limit)s with at most two decimals.")
            % {"limit": f"{MONEY_LIMIT:,}"}
        ]


def _clean_values(data: dict, errors: dict) -> None:
    """Check the plain values of ``data``: name, amount, probability, dates, product."""
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if not data["name"]:
            errors["name"] = [_("An opportunity needs a name.")]
    if "next_step" in data:
        data["next_step"] = (data["next_step"] or "").strip()
    if "amount" in data:
        _clean_amount(data["amount"], errors)
    probability = data.get("probability")
    if probability is not None and not (isinstance(probability, int) and 0 <= probability <= 100):
        errors["probability"] = [_("Give a probability between 0 and 100.")]
    for name in ("expected_close_date", "next_step_due"):
        day = data.get(name)
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            errors[name] = [
                _("Give a date between %(first)s and %(last)s.")
                % {"first": EARLIEST_DATE, "last": LATEST_DATE}
            ]
    product_id = data.get("product_id")
    if product_id is not None and not Product.objects.filter(pk=product_id).exists():
        errors["product_id"] = [_("There is no product with this ID.")]


def _check_owner(owner_id: int, branch_id: int, errors: dict) -> None:
    """An opportunity's owner is an active account manager or team lead of its branch."""
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    profile = Profile.objects.filter(user_id=owner_id).first() if owner else None
    if owner is None:
        errors["owner_id"] = [_("There is no active user with this ID.")]
    elif profile is None or not policy.may_own_customers(profile.roles):
        errors["owner_id"] = [_("The owner must be an account manager.")]
    elif profile.branch_id != branch_id:
        errors["owner_id"] = [_("The owner must belong to the customer's branch.")]


def _visible_customer(viewer: policy.Viewer, customer_id) -> Customer | None:
    customers = policy.customer_scope(viewer, Customer.objects.all())
    return customers.filter(pk=customer_id).first() if isinstance(customer_id, int) else None


def _default_owner(viewer: policy.Viewer, customer: Customer) -> int | None:
    """The viewer when they own customers in its branch, else the customer's owner."""
    if policy.may_own_customers(viewer.roles) and viewer.branch_id == customer.branch_id:
        return viewer.user_id
    return customer.owner_id


def _first_open_stage(pipeline: Pipeline) -> Stage | None:
    return pipeline.stages.filter(is_won=False, is_lost=False).order_by("order").first()


def _pipeline_and_stage(data: dict, errors: dict) -> tuple[Pipeline | None, Stage | None]:
    pipeline_id, stage_id = data.get("pipeline_id"), data.get("stage_id")
    pipeline: Pipeline | None
    if pipeline_id is None:
        try:
            pipeline = default_pipeline()
        except Pipeline.DoesNotExist:
            pipeline = None
    else:
        pipeline = Pipeline.objects.filter(pk=pipeline_id, active=True).first()
    if pipeline is None:
        errors["pipeline_id"] = [_("There is no active pipeline with this ID.")]
        return None, None
    if stage_id is None:
        stage = _first_open_stage(pipeline)
    else:
        stage = pipeline.stages.filter(pk=stage_id).first()
        if stage is None:
            errors["stage_id"] = [_("This stage is not in the opportunity's pipeline.")]
        elif stage.kind != StageKind.OPEN:
            errors["stage_id"] = [_("A new opportunity starts at an open stage.")]
    if stage is None and "stage_id" not in errors:
        errors["stage_id"] = [_("The pipeline has no open stage.")]
    return pipeline, stage


def opportunity_create(
    *,
    viewer: policy.Viewer,
    fields: OpportunityFields,
    context: RequestContext,
    source_suggestion: CrossSellSuggestion | None = None,
) -> Opportunity:
    """Open an opportunity for a customer the viewer may see. The pipeline defaults to the
    default one, the stage to its first, the owner to the viewer (or the customer's owner),
    the probability to the stage's; the branch is the customer's."""
    policy.require(viewer, "opportunity.create")
    data = fields.given()
    errors: dict = {}
    customer = _visible_customer(viewer, data.get("customer_id"))
    if customer is None:
        errors["customer_id"] = [_("There is no customer with this ID.")]
    if "name" not in data:
        data["name"] = ""
    _clean_values(data, errors)
    pipeline, stage = _pipeline_and_stage(data, errors)
    owner_id = data.get("owner_id")
    if customer is not None:
        owner_id = owner_id if owner_id is not None else _default_owner(viewer, customer)
        if owner_id is None:
            errors["owner_id"] = [_("Choose the account manager who owns the opportunity.")]
        else:
            _check_owner(owner_id, customer.branch_id, errors)
    if errors:
        raise ValidationError(errors)
    assert customer is not None and pipeline is not None and stage is not None
    assert owner_id is not None
    probability = data.get("probability")
    opportunity = Opportunity(
        name=data["name"],
        customer=customer,
        pipeline=pipeline,
        stage=stage,
        status=StageKind.OPEN,
        owner_id=owner_id,
        branch_id=customer.branch_id,
        amount=data.get("amount") or Decimal(0),
        product_id=data.get("product_id"),
        expected_close_date=data.get("expected_close_date"),
        next_step=data.get("next_step", ""),
        next_step_due=data.get("next_step_due"),
        probability=stage.probability if probability is None else probability,
        source_suggestion=source_suggestion,
        created_by_id=viewer.user_id,
        created_at=timezone.now(),
    )
    if not policy.allows(viewer, "opportunity.create", opportunity):
        raise ValidationError({"owner_id": [_("You cannot give the opportunity to this owner.")]})
    check_storable(opportunity, ["name", "next_step"])
    values = {
        "name": opportunity.name,
        "customer_id": customer.pk,
        "pipeline_id": pipeline.pk,
        "stage_id": stage.pk,
        "owner_id": owner_id,
        "amount": opportunity.amount,
        "product_id": opportunity.product_id,
        "expected_close_date": opportunity.expected_close_date,
        "next_step": opportunity.next_step,
        "next_step_due": opportunity.next_step_due,
        "probability": opportunity.probability,
    }
    suggestion_id = source_suggestion.pk if source_suggestion else None
    values["source_suggestion_id"] = suggestion_id
    with transaction.atomic():
        opportunity.save()
        StageChange.objects.create(
            opportunity=opportunity,
            to_stage=stage,
            changed_at=opportunity.created_at,
            changed_by_id=viewer.user_id,
            owner_id=opportunity.owner_id,
            branch_id=opportunity.branch_id,
        )
        _audit(viewer, AuditAction.CREATE, opportunity, created(values), context)
        event = events.OpportunityCreated(
            customer_id=customer.pk,
            pipeline_id=pipeline.pk,
            stage_id=stage.pk,
            owner_id=owner_id,
            amount=opportunity.amount,
            source_suggestion_id=suggestion_id,
        )
        publish(event, actor=viewer.user, record=opportunity)
    return opportunity


def _audit(
    viewer: policy.Viewer,
    action: AuditAction,
    opportunity: Opportunity,
    changes: dict,
    context: RequestContext,
) -> None:
    record(
        viewer.user,
        action,
        "opportunity",
        [opportunity.pk],
        sorted(changes),
        context,
        changes=changes,
        name=opportunity.name,
        customers=[opportunity.customer_id],
    )


def opportunity_update(
    *,
    viewer: policy.Viewer,
    opportunity_id: int,
    changes: OpportunityFields,
    expected_version: int,
    context: RequestContext,
) -> Opportunity:
    """Change the given fields of an opportunity, refusing a stale version (409). The
    customer, pipeline and stage are not changed here (stages move by ``move_stage``)."""
    opportunity = opportunity_get_editable_for_user(viewer=viewer, opportunity_id=opportunity_id)
    data = changes.given()
    errors: dict = {
        name: [_("This field cannot be changed here.")] for name in data if name not in EDITABLE
    }
    data = {k: v for k, v in data.items() if k in EDITABLE}
    if "probability" in data and data["probability"] is None:
        data["probability"] = opportunity.stage.probability  # back to the stage's default
    if "amount" in data and data["amount"] is None:
        errors["amount"] = [_("Give an amount in yuan.")]
    _clean_values(data, errors)
    if data.get("owner_id") is not None and data["owner_id"] != opportunity.owner_id:
        _check_owner(data["owner_id"], opportunity.branch_id, errors)
    elif "owner_id" in data and data["owner_id"] is None:
        errors["owner_id"] = [_("Choose the account manager who owns the opportunity.")]
    if errors:
        raise ValidationError(errors)
    diff = updated(opportunity, data)
    changed = list(diff)
    if "owner_id" in changed and not policy.allows(viewer, "opportunity.edit", opportunity):
        raise ValidationError({"owner_id": [_("You cannot give the opportunity to this owner.")]})
    check_storable(opportunity, [n for n in changed if n in ("name", "next_step")])
    with transaction.atomic():
        save_if_version(opportunity, expected_version, changed)
        if changed:
            _audit(viewer, AuditAction.UPDATE, opportunity, diff, context)
            publish(
                events.OpportunityUpdated(fields=sorted(changed)),
                actor=viewer.user,
                record=opportunity,
            )
    return opportunity


def _closing_stage(opportunity: Opportunity, kind: StageKind) -> Stage:
    stage = (
        Stage.objects.filter(
            pipeline_id=opportunity.pipeline_id,
            is_won=kind == StageKind.WON,
            is_lost=kind == StageKind.LOST,
        )
        .order_by("order")
        .first()
    )
    if stage is None:
        raise ValidationError({"stage_id": [_("The pipeline has no such closing stage.")]})
    return stage


def _move(
    viewer: policy.Viewer,
    opportunity: Opportunity,
    to: Stage,
    expected_version: int,
    context: RequestContext,
    loss_reason: str = "",
    loss_note: str = "",
) -> Opportunity:
    origin = opportunity.stage
    if to.pipeline_id != opportunity.pipeline_id:
        raise ValidationError({"stage_id": [_("This stage is not in the opportunity's pipeline.")]})
    if not workflow.may_move(origin, to):
        allowed = "、".join(
            s.name for s in workflow.next_stages(origin, list(_stages(opportunity)))
        )
        message = (
            _("An opportunity at %(stage)s can move to: %(allowed)s.")
            % {"stage": origin.name, "allowed": allowed}
            if allowed
            else _("An opportunity at %(stage)s cannot move any more.") % {"stage": origin.name}
        )
        raise ValidationError({"stage_id": [message]})
    errors: dict = {}
    loss_note = (loss_note or "").strip()
    if to.is_lost and loss_reason not in LossReason.values:
        errors["loss_reason"] = [_("Say why the opportunity was lost (choose a reason).")]
    if len(loss_note) > 500:
        errors["loss_note"] = [_("At most 500 characters.")]
    if errors:
        raise ValidationError(errors)
    before = {
        "stage": origin.code,
        "status": opportunity.status,
        "probability": opportunity.probability,
        "loss_reason": opportunity.loss_reason,
    }
    opportunity.stage = to
    opportunity.status = to.kind
    opportunity.probability = to.probability
    opportunity.loss_reason = loss_reason if to.is_lost else ""
    opportunity.loss_note = loss_note if to.is_lost else ""
    opportunity.closed_at = timezone.now() if to.kind != StageKind.OPEN else None
    after = {
        "stage": to.code,
        "status": opportunity.status,
        "probability": opportunity.probability,
        "loss_reason": opportunity.loss_reason,
    }
    names = ["stage", "status", "probability", "loss_reason", "loss_note", "closed_at"]
    with transaction.atomic():
        save_if_version(opportunity, expected_version, names)
        history = StageChange.objects.filter(opportunity=opportunity)
        if not to.is_lost:  # the moves into stages before this one led further
            history.filter(to_stage__order__lt=to.order, advanced=False).update(advanced=True)
        StageChange.objects.create(
            opportunity=opportunity,
            from_stage=origin,
            to_stage=to,
            changed_at=timezone.now(),
            changed_by_id=viewer.user_id,
            owner_id=opportunity.owner_id,
            branch_id=opportunity.branch_id,
            from_entered_at=history.filter(to_stage=origin)
            .order_by("-changed_at", "-id")
            .values_list("changed_at", flat=True)
            .first(),
        )
        diff = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        _audit(viewer, AuditAction.UPDATE, opportunity, diff, context)
        event = events.OpportunityStageChanged(
            from_stage_id=origin.pk,
            to_stage_id=to.pk,
            status=opportunity.status,
            loss_reason=opportunity.loss_reason,
        )
        publish(event, actor=viewer.user, record=opportunity)
    return opportunity


def _stages(opportunity: Opportunity):
    return Stage.objects.filter(pipeline_id=opportunity.pipeline_id).order_by("order")


def opportunity_move_stage(
    *,
    viewer: policy.Viewer,
    opportunity_id: int,
    stage_id: int,
    expected_version: int,
    context: RequestContext,
    loss_reason: str = "",
    loss_note: str = "",
) -> Opportunity:
    """Move an opportunity to another stage of its pipeline as the workflow allows; the
    probability becomes the stage's. A stage of another pipeline is a 422 naming
    ``stage_id``, a stale version a 409; a lost stage needs a loss reason."""
    opportunity = opportunity_get_editable_for_user(viewer=viewer, opportunity_id=opportunity_id)
    to = Stage.objects.filter(pk=stage_id).first()
    if to is None or to.pipeline_id != opportunity.pipeline_id:
        raise ValidationError({"stage_id": [_("This stage is not in the opportunity's pipeline.")]})
    return _move(viewer, opportunity, to, expected_version, context, loss_reason, loss_note)


def opportunity_win(
    *, viewer: policy.Viewer, opportunity_id: int, expected_version: int, context: RequestContext
) -> Opportunity:
    """Close an open opportunity as won (its pipeline's won stage)."""
    opportunity = opportunity_get_editable_for_user(viewer=viewer, opportunity_id=opportunity_id)
    won = _closing_stage(opportunity, StageKind.WON)
    return _move(viewer, opportunity, won, expected_version, context)


def opportunity_lose(
    *,
    viewer: policy.Viewer,
    opportunity_id: int,
    loss_reason: str,
    expected_version: int,
    context: RequestContext,
    loss_note: str = "",
) -> Opportunity:
    """Close an open opportunity as lost, with a reason from ``LossReason`` (required)."""
    opportunity = opportunity_get_editable_for_user(viewer=viewer, opportunity_id=opportunity_id)
    lost = _closing_stage(opportunity, StageKind.LOST)
    return _move(viewer, opportunity, lost, expected_version, context, loss_reason, loss_note)


def _clean_team(members: list[TeamMember]) -> None:
    errors: list[str] = []
    user_ids = [m.user_id for m in members]
    if len(set(user_ids)) != len(user_ids):
        errors.append(_("A colleague is on the team once."))
    for member in members:
        share = member.share
        if not isinstance(share, Decimal) or not share.is_finite() or not 0 < share <= HUNDRED:
            errors.append(_("Each share is more than 0 and at most 100 percent."))
            break
        if share != share.quantize(CENTS):
            errors.append(_("Shares have at most two decimals."))
            break
        if len(member.role) > 100:
            errors.append(_("A role on the team has at most 100 characters."))
            break
    if members and not errors and sum(m.share for m in members) != HUNDRED:
        errors.append(_("The shares must add up to 100 percent."))
    active = set(
        get_user_model()
        .objects.filter(pk__in=[u for u in user_ids if 0 < u < 2**63], is_active=True)
        .values_list("pk", flat=True)
    )
    if set(user_ids) - active:
        errors.append(_("Every member must be an active user."))
    if errors:
        raise ValidationError({"members": errors})


def opportunity_set_team(
    *,
    viewer: policy.Viewer,
    opportunity_id: int,
    members: list[TeamMember],
    expected_version: int,
    context: RequestContext,
) -> list[TeamMember]:
    """Replace the opportunity's team: each colleague's contribution share, adding up to
    100 percent (an empty team gives the owner all of it). Bumps the version."""
    opportunity = opportunity_get_editable_for_user(viewer=viewer, opportunity_id=opportunity_id)
    _clean_team(members)
    old = [[m.user_id, str(m.share)] for m in opportunity.team.order_by("-share", "user_id")]
    new = [[m.user_id, str(m.share)] for m in sorted(members, key=lambda m: (-m.share, m.user_id))]
    with transaction.atomic():
        save_if_version(opportunity, expected_version, [])
        opportunity.team.all().delete()
        opportunity.team.model.objects.bulk_create(
            opportunity.team.model(
                opportunity=opportunity, user_id=m.user_id, share=m.share, role=m.role.strip()
            )
            for m in members
        )
        _audit(viewer, AuditAction.UPDATE, opportunity, {"team": [old, new]}, context)
        publish(
            events.OpportunityTeamChanged(user_ids=[m.user_id for m in members]),
            actor=viewer.user,
            record=opportunity,
        )
    return members


def opportunity_create_from_suggestion(
    *,
    viewer: policy.Viewer,
    suggestion_id: int,
    context: RequestContext,
    fields: OpportunityFields | None = None,
) -> Opportunity:
    """Turn an analysis run's cross-sell suggestion into an opportunity for the product the
    customer lacks, linked to the suggestion. A suggestion of a customer out of scope reads
    as missing; one for a product the customer now holds, or already has an open
    opportunity for, is refused (422 naming ``suggestion_id``)."""
    policy.require(viewer, "opportunity.create")
    suggestion = (
        CrossSellSuggestion.objects.select_related("product").filter(pk=suggestion_id).first()
    )
    if suggestion is None or _visible_customer(viewer, suggestion.customer_id) is None:
        raise ValidationError({"suggestion_id": [_("There is no suggestion with this ID.")]})
    customer_id, product = suggestion.customer_id, suggestion.product
    if Holding.objects.filter(
        customer_id=customer_id, product=product, closed_at__isnull=True
    ).exists():
        raise ValidationError({"suggestion_id": [_("The customer holds this product already.")]})
    if Opportunity.objects.filter(
        customer_id=customer_id, product=product, status=StageKind.OPEN
    ).exists():
        message = _("The customer has an open opportunity for this product already.")
        raise ValidationError({"suggestion_id": [message]})
    given = fields.given() if fields else {}
    for name in ("customer_id", "product_id"):
        if name in given:
            raise ValidationError({name: [_("The suggestion decides this field.")]})
    given.setdefault("name", _("Cross-sell: %(product)s") % {"product": product.name})
    opportunity_fields = OpportunityFields(customer_id=customer_id, product_id=product.pk, **given)
    return opportunity_create(
        viewer=viewer, fields=opportunity_fields, context=context, source_suggestion=suggestion
    )
