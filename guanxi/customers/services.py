"""Changes to the customer record itself: create, edit, lifecycle, tags, branch transfer.

Every function takes the acting ``Viewer`` and asks the permission policy before it reads
or writes; every change is written to the audit log in the same database transaction.
Groups, contacts, holdings and transactions, and the catalogue definitions have their own
modules (``groups``, ``contacts``, ``holdings``, ``definitions``); reveals are in ``reveals``.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, record
from guanxi.concurrency import save_if_version
from guanxi.customers import duplicates, events, lifecycle
from guanxi.customers.custom_fields import clean_custom_fields
from guanxi.customers.identity import clean_identity
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import (
    Customer,
    CustomerKind,
    LifecycleChange,
    LifecycleStatus,
    Tag,
)
from guanxi.customers.pinyin import initials_key, pinyin_key
from guanxi.customers.selectors import customer_get_editable_for_user, customer_get_for_user
from guanxi.org.models import Branch, Profile
from guanxi.storable import MONEY_LIMIT, check_storable

# Fields only one kind of customer has: a person's, and an organisation's.
PERSON_ONLY = ("id_number", "gender", "birthday")
ORGANISATION_ONLY = ("uscc", "legal_representative", "registered_capital", "industry")
CENTS = Decimal("0.01")


def _clean_references(data: dict, errors: dict) -> None:
    if "branch_id" in data and not Branch.objects.filter(pk=data["branch_id"]).exists():
        errors["branch_id"] = [_("There is no branch with this ID.")]
    owner_id = data.get("owner_id")
    if owner_id is not None:
        owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
        profile = getattr(owner, "profile", None) if owner else None
        if owner is None:
            errors["owner_id"] = [_("There is no active user with this ID.")]
        elif profile is None or not policy.may_own_customers(profile.roles):
            errors["owner_id"] = [_("The owner must be an account manager.")]


def _check_owner_branch(branch_id: int, owner_id: int | None) -> None:
    """An owner looks after customers of their own branch; moving branch is a transfer."""
    if owner_id is None:
        return
    if not Profile.objects.filter(user_id=owner_id, branch_id=branch_id).exists():
        raise ValidationError({"owner_id": [_("The owner must belong to the customer's branch.")]})


def _clean_kind_fields(given: dict, cleaned: dict, errors: dict, current: Customer | None) -> None:
    """Refuse, by name, a field the customer's kind does not have: an organisation has no
    resident ID, gender or birthday; an individual no organisation fields.

    ``given`` are the values as sent (a birthday derived from a refused ID number is not
    named too). When an update changes the kind, the stored values count as well: they
    must be cleared in the same change.
    """
    kind = cleaned.get("kind", current.kind if current else CustomerKind.INDIVIDUAL)
    foreign: tuple[str, ...]
    if kind == CustomerKind.ORGANISATION:
        foreign, message = PERSON_ONLY, _("Only individuals have this field.")
    elif kind == CustomerKind.INDIVIDUAL:
        foreign, message = ORGANISATION_ONLY, _("Only organisations have this field.")
    else:
        return  # an unknown kind is refused as such (check_storable)
    kind_changes = current is not None and kind != current.kind
    for name in foreign:
        if name in given:
            value = given[name]
        elif kind_changes:
            value = getattr(current, name)
        else:
            continue
        if value not in (None, ""):
            errors[name] = [message]


def _clean_capital(cleaned: dict, errors: dict) -> None:
    capital = cleaned.get("registered_capital")
    if capital is None:
        return
    if not isinstance(capital, Decimal) or not capital.is_finite():
        errors["registered_capital"] = [_("Give an amount in yuan.")]
    elif capital < 0:
        errors["registered_capital"] = [_("Registered capital cannot be negative.")]
    elif capital >= MONEY_LIMIT or capital != capital.quantize(CENTS):
        errors["registered_capital"] = [
            _("Amounts are kept exactly below %(limit)s with at most two decimals.")
            % {"limit": f"{MONEY_LIMIT:,}"}
        ]


def clean_customer_data(
    fields: CustomerFields, partial: bool, current: Customer | None = None
) -> dict:
    """Validate and normalise the given customer fields (of ``current``, for an update);
    raise one ValidationError naming every field."""
    errors: dict = {}
    given = fields.given()
    cleaned = dict(given)
    if "name" in cleaned or not partial:
        cleaned["name"] = (cleaned.get("name") or "").strip()
        if not cleaned["name"]:
            errors["name"] = [_("A customer needs a name.")]
    if not partial and "branch_id" not in cleaned:
        errors["branch_id"] = [_("A customer belongs to a branch.")]
    if isinstance(cleaned.get("legal_representative"), str):
        cleaned["legal_representative"] = cleaned["legal_representative"].strip()
    clean_identity(cleaned, errors)
    _clean_capital(cleaned, errors)
    _clean_kind_fields(given, cleaned, errors, current)
    _clean_references(cleaned, errors)
    if "custom_fields" in cleaned:
        try:
            cleaned["custom_fields"] = clean_custom_fields(cleaned["custom_fields"] or {}, partial)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _apply(customer: Customer, data: dict) -> list[str]:
    changed = []
    for name, value in data.items():
        if name == "custom_fields":
            value = {**customer.custom_fields, **value}
            value = {k: v for k, v in value.items() if v is not None}
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    if "name" in changed:
        customer.name_pinyin = pinyin_key(customer.name)
        customer.name_initials = initials_key(customer.name)
        changed += ["name_pinyin", "name_initials"]
    if "phone" in changed:
        customer.phone_last4 = customer.phone[-4:]
        changed.append("phone_last4")
    return changed


def customer_create(
    *, viewer: policy.Viewer, fields: CustomerFields, context: RequestContext
) -> Customer:
    """Create a customer after validation and a permission check; audited with the fields
    given. A customer with the same resident ID number or credit code is refused
    (``DuplicateValue``; see ``duplicates`` for what that tells the caller)."""
    cleaned = clean_customer_data(fields, partial=False)
    planned = policy.CustomerRef(0, cleaned.get("owner_id"), cleaned["branch_id"])
    policy.require(viewer, "customer.create", planned)
    duplicates.refuse_unsearchable(viewer, cleaned)
    _check_owner_branch(cleaned["branch_id"], cleaned.get("owner_id"))
    customer = Customer(created_at=timezone.now())
    _apply(customer, cleaned)
    check_storable(customer, list(cleaned))
    with transaction.atomic():
        duplicates.refuse_duplicate_identifiers(viewer=viewer, values=cleaned)
        customer.save()
        _record_lifecycle(customer, "", customer.status, lifecycle.CREATED, viewer)
        record(
            viewer.user,
            AuditAction.CREATE,
            "customer",
            [customer.pk],
            sorted(cleaned),
            context,
            changes=created(cleaned),
        )
        events.publish_customer_created(
            customer=customer, fields=sorted(cleaned), actor=viewer.user
        )
    return customer


def customer_update(
    *,
    viewer: policy.Viewer,
    customer_id: int,
    changes: CustomerFields,
    expected_version: int,
    context: RequestContext,
) -> Customer:
    """Change the given fields of a customer, refusing a stale version; audited with the
    changed fields. A field not given is left as it is."""
    customer = customer_get_editable_for_user(viewer=viewer, customer_id=customer_id)
    cleaned = clean_customer_data(changes, partial=True, current=customer)
    duplicates.refuse_unsearchable(viewer, cleaned)
    if cleaned.get("branch_id", customer.branch_id) != customer.branch_id:
        message = _("Moving a customer to another branch is a transfer (administrators).")
        raise ValidationError({"branch_id": [message]})
    if "owner_id" in cleaned:
        planned = policy.CustomerRef(customer.pk, cleaned["owner_id"], customer.branch_id)
        if not policy.allows(viewer, "customer.edit", planned):
            raise ValidationError({"owner_id": [_("You cannot move the customer there.")]})
        _check_owner_branch(customer.branch_id, cleaned["owner_id"])
    old_tier = customer.value_tier
    before = {name: getattr(customer, name) for name in cleaned}
    changed = _apply(customer, cleaned)
    check_storable(customer, list(cleaned))
    with transaction.atomic():
        duplicates.refuse_duplicate_identifiers(
            viewer=viewer,
            values={name: getattr(customer, name) for name in changed},
            customer_id=customer.pk,
        )
        save_if_version(customer, expected_version, changed)
        visible = [f for f in changed if f not in ("name_pinyin", "name_initials", "phone_last4")]
        record(
            viewer.user,
            AuditAction.UPDATE,
            "customer",
            [customer.pk],
            visible,
            context,
            changes={f: [before[f], getattr(customer, f)] for f in visible},
        )
        events.publish_customer_updated(
            customer=customer, fields=visible, old_tier=old_tier, actor=viewer.user
        )
    return customer


def _record_lifecycle(customer: Customer, old: str, new: str, reason: str, viewer) -> None:
    LifecycleChange.objects.create(
        customer=customer,
        from_status=old,
        to_status=new,
        reason=reason,
        changed_at=timezone.now(),
        changed_by_id=viewer.user_id if viewer else None,
    )


def customer_change_lifecycle(
    *,
    viewer: policy.Viewer,
    customer_id: int,
    to_status: str,
    reason: str,
    expected_version: int,
    context: RequestContext,
) -> Customer:
    """Move a customer to another lifecycle status, keeping the date and reason."""
    customer = customer_get_editable_for_user(viewer=viewer, customer_id=customer_id)
    errors = {}
    if to_status not in LifecycleStatus.values:
        errors["status"] = [_("Unknown lifecycle status.")]
    elif to_status == customer.status:
        errors["status"] = [_("The customer already has this status.")]
    elif not lifecycle.may_move(customer.status, to_status):
        allowed = "、".join(
            str(LifecycleStatus(s).label) for s in lifecycle.next_statuses(customer.status)
        )
        errors["status"] = [
            _("A customer who is %(current)s can move to: %(allowed)s.")
            % {"current": LifecycleStatus(customer.status).label, "allowed": allowed}
        ]
    if not reason or not reason.strip():
        errors["reason"] = [_("Say why the status changes.")]
    if errors:
        raise ValidationError(errors)
    old = customer.status
    customer.status = to_status
    with transaction.atomic():
        save_if_version(customer, expected_version, ["status"])
        _record_lifecycle(customer, old, to_status, reason.strip(), viewer)
        record(
            viewer.user,
            AuditAction.UPDATE,
            "customer",
            [customer.pk],
            ["status"],
            context,
            changes={"status": [old, to_status]},
        )
        events.publish_lifecycle_changed(customer=customer, from_status=old, actor=viewer.user)
    return customer


def customer_set_tags(
    *,
    viewer: policy.Viewer,
    customer_id: int,
    names: list[str],
    expected_version: int,
    context: RequestContext,
) -> list[str]:
    """Replace a customer's tags, creating tags that do not exist yet; a stale version
    changes nothing."""
    customer = customer_get_editable_for_user(viewer=viewer, customer_id=customer_id)
    clean = sorted({n.strip() for n in names if n and n.strip()})
    if any(len(n) > 50 for n in clean):
        raise ValidationError({"tags": [_("A tag has at most 50 characters.")]})
    with transaction.atomic():
        save_if_version(customer, expected_version, [])
        old_tags = sorted(customer.tags.values_list("name", flat=True))
        tags = [Tag.objects.get_or_create(name=n)[0] for n in clean]
        customer.tags.set(tags)
        record(
            viewer.user,
            AuditAction.UPDATE,
            "customer",
            [customer.pk],
            ["tags"],
            context,
            changes={"tags": [old_tags, clean]},
        )
    return clean


def customer_transfer(
    *,
    viewer: policy.Viewer,
    customer_id: int,
    branch_id: int,
    owner_id: int | None,
    reason: str,
    expected_version: int,
    context: RequestContext,
) -> Customer:
    """Move a customer to another branch and an owner there (administrators); audited with
    the old and new branch and owner and the reason."""
    customer = customer_get_for_user(viewer=viewer, customer_id=customer_id)
    policy.require(viewer, "customer.transfer", customer)
    errors: dict = {}
    if not Branch.objects.filter(pk=branch_id).exists():
        errors["branch_id"] = [_("There is no branch with this ID.")]
    elif branch_id == customer.branch_id:
        errors["branch_id"] = [_("The customer is in this branch already.")]
    if not reason or len(reason.strip()) < 4:
        errors["reason"] = [_("Say why the customer moves to another branch.")]
    _clean_references({"owner_id": owner_id}, errors)
    if errors:
        raise ValidationError(errors)
    _check_owner_branch(branch_id, owner_id)
    before = {"branch_id": customer.branch_id, "owner_id": customer.owner_id}
    customer.branch_id, customer.owner_id = branch_id, owner_id
    with transaction.atomic():
        save_if_version(customer, expected_version, ["branch_id", "owner_id"])
        record(
            viewer.user,
            AuditAction.UPDATE,
            "customer",
            [customer.pk],
            ["branch_id", "owner_id"],
            context,
            reason.strip(),
            changes={k: [v, getattr(customer, k)] for k, v in before.items()},
        )
        events.publish_customer_updated(
            customer=customer,
            fields=["branch_id", "owner_id"],
            old_tier=customer.value_tier,
            actor=viewer.user,
        )
    return customer
