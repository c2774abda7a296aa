"""Changes to customers: create, edit, lifecycle, groups, transactions, reveal.

Every function takes the acting ``Viewer`` and asks the permission policy before it reads
or writes; every change is written to the audit log in the same database transaction.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, created, deleted, record
from guanxi.concurrency import save_if_version, unique_or_conflict
from guanxi.customers import events
from guanxi.customers.custom_fields import clean_custom_fields
from guanxi.customers.identity import (
    normalise_email,
    normalise_phone,
    parse_resident_id,
)
from guanxi.customers.list_query import MAX_GROUP_NESTING, saved_filter_nesting
from guanxi.customers.models import (
    Channel,
    Contact,
    Customer,
    CustomerGroup,
    CustomerKind,
    CustomFieldDefinition,
    CustomFieldType,
    GroupKind,
    GroupMembership,
    Holding,
    LifecycleChange,
    LifecycleStatus,
    Product,
    Tag,
    Transaction,
)
from guanxi.customers.pinyin import initials_key, pinyin_key
from guanxi.customers.selectors import (
    clean_list_filter,
    get_visible_customer,
    group_member_count,
    identifying_search,
)
from guanxi.org.models import Branch, Profile
from guanxi.storable import MONEY_LIMIT, check_storable

EDITABLE_FIELDS = (
    "kind",
    "name",
    "gender",
    "birthday",
    "id_number",
    "phone",
    "email",
    "address",
    "occupation",
    "external_id",
    "source_channel",
    "branch_id",
    "owner_id",
    "value_tier",
    "custom_fields",
)

# Lifecycle moves that make no sense are refused; everything else is allowed with a reason.
WON_BACK_FROM = {LifecycleStatus.INACTIVE, LifecycleStatus.LOST}


def _clean_identity(data: dict, errors: dict) -> None:
    for name, clean in (("phone", normalise_phone), ("email", normalise_email)):
        if data.get(name):
            try:
                data[name] = clean(data[name])
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if data.get("id_number"):
        try:
            resident = parse_resident_id(data["id_number"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            data["id_number"] = resident.number
            data["birthday"] = resident.birthday
            data["gender"] = resident.gender


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


def clean_customer_data(data: dict, partial: bool) -> dict:
    """Validate and normalise customer fields; raise one ValidationError naming every field."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    errors: dict = {name: [_("This field cannot be set.")] for name in unknown}
    cleaned = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    if "name" in cleaned or not partial:
        cleaned["name"] = (cleaned.get("name") or "").strip()
        if not cleaned["name"]:
            errors["name"] = [_("A customer needs a name.")]
    if not partial and "branch_id" not in cleaned:
        errors["branch_id"] = [_("A customer belongs to a branch.")]
    _clean_identity(cleaned, errors)
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


def create_customer(viewer: policy.Viewer, data: dict, context: RequestContext) -> Customer:
    """Create a customer after validation and a permission check; audited."""
    cleaned = clean_customer_data(dict(data), partial=False)
    planned = policy.CustomerRef(0, cleaned.get("owner_id"), cleaned["branch_id"])
    policy.require(viewer, "customer.create", planned)
    _check_owner_branch(cleaned["branch_id"], cleaned.get("owner_id"))
    customer = Customer(created_at=timezone.now())
    _apply(customer, cleaned)
    check_storable(customer, list(cleaned))
    with transaction.atomic():
        customer.save()
        _record_lifecycle(customer, "", customer.status, _("Created"), viewer)
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


def update_customer(
    viewer: policy.Viewer,
    customer_id: int,
    data: dict,
    expected_version: int,
    context: RequestContext,
) -> Customer:
    """Change fields of a customer, refusing a stale version; audited with the changed fields."""
    customer = _editable_customer(viewer, customer_id)
    cleaned = clean_customer_data(dict(data), partial=True)
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


def _editable_customer(viewer: policy.Viewer, customer_id: int) -> Customer:
    """A customer the viewer may change: out of scope reads as missing, in scope but not
    editable is forbidden."""
    customer = get_visible_customer(viewer, customer_id)
    policy.require(viewer, "customer.edit", customer)
    return customer


def policy_denied() -> Exception:
    """The error for a permitted read but forbidden change."""
    return PermissionDenied(_("Your role does not allow this change."))


def _record_lifecycle(customer: Customer, old: str, new: str, reason: str, viewer) -> None:
    LifecycleChange.objects.create(
        customer=customer,
        from_status=old,
        to_status=new,
        reason=reason,
        changed_at=timezone.now(),
        changed_by_id=viewer.user_id if viewer else None,
    )


def change_lifecycle(
    viewer: policy.Viewer,
    customer_id: int,
    to_status: str,
    reason: str,
    expected_version: int,
    context: RequestContext,
) -> Customer:
    """Move a customer to another lifecycle status, keeping the date and reason."""
    customer = _editable_customer(viewer, customer_id)
    errors = {}
    if to_status not in LifecycleStatus.values:
        errors["status"] = [_("Unknown lifecycle status.")]
    elif to_status == customer.status:
        errors["status"] = [_("The customer already has this status.")]
    elif to_status == LifecycleStatus.WON_BACK and customer.status not in WON_BACK_FROM:
        errors["status"] = [_("Only inactive or lost customers can be won back.")]
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


def set_tags(
    viewer: policy.Viewer, customer_id: int, names: list[str], expected_version: int, context
) -> list[str]:
    """Replace a customer's tags, creating tags that do not exist yet; a stale version
    changes nothing."""
    customer = _editable_customer(viewer, customer_id)
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


def create_group(
    viewer: policy.Viewer,
    name: str,
    kind: str,
    saved_filter: dict,
    context: RequestContext | None = None,
) -> CustomerGroup:
    """Create a static or saved-filter customer group."""
    policy.require(viewer, "group.create")
    errors = {}
    if not name or not name.strip():
        errors["name"] = [_("A group needs a name.")]
    elif CustomerGroup.objects.filter(name=name.strip()).exists():
        errors["name"] = [_("A group with this name exists already.")]
    if kind not in GroupKind.values:
        errors["kind"] = [_("A group is a static list or a saved filter.")]
    if errors:
        raise ValidationError(errors)
    try:
        saved = clean_list_filter(saved_filter or {}) if kind == GroupKind.SAVED_FILTER else {}
    except ValidationError as exc:
        raise ValidationError({f"filter.{k}": v for k, v in exc.message_dict.items()}) from exc
    try:
        identifying_search(viewer, saved.get("q", ""))  # a saved filter searches on every use
    except ValidationError as exc:
        raise ValidationError({"filter.q": exc.messages}) from exc
    if saved and saved_filter_nesting(saved.get("group_id")) >= MAX_GROUP_NESTING:
        message = _("A saved filter may name a saved-filter group that names no further one.")
        raise ValidationError({"filter.group_id": [message]})
    with unique_or_conflict("name", _("A group with this name exists already.")):
        group = CustomerGroup.objects.create(
            name=name.strip(), kind=kind, filter=saved, created_by_id=viewer.user_id
        )
        values = {"name": group.name, "kind": kind, "filter": saved}
        record(
            viewer.user,
            AuditAction.CREATE,
            "group",
            [group.pk],
            sorted(values),
            context,
            changes=created(values),
            name=group.name,
        )
    return group


def change_group_members(
    viewer: policy.Viewer, group_id: int, add: list[int], remove: list[int], context
) -> int:
    """Add and remove members of a static group (its creator or an administrator);
    customers out of scope count as unknown."""
    group = CustomerGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise CustomerGroup.DoesNotExist(_("There is no such group."))
    policy.require(viewer, "group.members", group)
    if group.kind != GroupKind.STATIC:
        raise ValidationError({"group": [_("Members of a saved-filter group follow its filter.")]})
    visible = set(
        policy.customer_scope(viewer, Customer.objects.filter(pk__in=add + remove)).values_list(
            "pk", flat=True
        )
    )
    unknown = sorted(set(add + remove) - visible)
    if unknown:
        raise ValidationError(
            {"customer_ids": [_("Unknown customers: %(ids)s") % {"ids": unknown}]}
        )
    with transaction.atomic():
        GroupMembership.objects.bulk_create(
            [GroupMembership(group=group, customer_id=c) for c in add], ignore_conflicts=True
        )
        GroupMembership.objects.filter(group=group, customer_id__in=remove).delete()
        record(
            viewer.user,
            AuditAction.UPDATE,
            "group",
            [group.pk],
            ["members"],
            context,
            changes={"members_added": [None, add], "members_removed": [remove, None]},
            name=group.name,
            customers=add + remove,
        )
    return group_member_count(viewer, group)


def record_transaction(
    customer: Customer,
    amount: Decimal,
    channel: str,
    occurred_at,
    product: Product | None,
    *,
    actor=None,
) -> Transaction:
    """Book a transaction and keep the customer's running totals in step with it."""
    with transaction.atomic():
        booked = Transaction.objects.create(
            customer=customer,
            product=product,
            amount=amount,
            channel=channel,
            occurred_at=occurred_at,
        )
        updates: dict[str, Combinable] = {
            "lifetime_revenue": F("lifetime_revenue") + amount,
            "transaction_count": F("transaction_count") + 1,
        }
        if amount > 0:
            # Compared in the database, so two bookings at once cannot undo each other.
            updates["first_purchase_at"] = _earlier_of("first_purchase_at", occurred_at)
            updates["last_purchase_at"] = _later_of("last_purchase_at", occurred_at)
        # The total stays what the store keeps exactly; checked in the same UPDATE, so
        # concurrent bookings cannot pass it together.
        within = Customer.objects.filter(
            pk=customer.pk,
            lifetime_revenue__lt=MONEY_LIMIT - amount,
            lifetime_revenue__gt=-MONEY_LIMIT - amount,
        )
        if not within.update(**updates):
            raise ValidationError(
                {
                    "amount": [
                        _(
                            "This amount would take the customer's lifetime revenue beyond "
                            "%(limit)s, the most that is kept exactly."
                        )
                        % {"limit": f"{MONEY_LIMIT - Decimal('0.01'):,}"}
                    ]
                }
            )
        events.publish_transaction_booked(booked=booked, actor=actor)
    return booked


def _earlier_of(field: str, moment) -> Case:
    return Case(When(**{f"{field}__lte": moment}, then=F(field)), default=Value(moment))


def _later_of(field: str, moment) -> Case:
    return Case(When(**{f"{field}__gte": moment}, then=F(field)), default=Value(moment))


def add_contact(viewer: policy.Viewer, customer_id: int, data: dict, context) -> Contact:
    """Add a contact person to an organisation customer."""
    customer = _editable_customer(viewer, customer_id)
    errors: dict = {}
    if customer.kind != CustomerKind.ORGANISATION:
        errors["customer"] = [_("Only organisation customers have contact persons.")]
    cleaned = dict(data)
    _clean_identity(cleaned, errors)
    if errors:
        raise ValidationError(errors)
    contact = Contact(customer=customer, **cleaned)
    check_storable(contact, list(cleaned))
    with transaction.atomic():
        contact.save()
        record(
            viewer.user,
            AuditAction.CREATE,
            "contact",
            [contact.pk],
            sorted(cleaned),
            context,
            changes=created(cleaned),
            name=contact.name,
            customers=[customer.pk],
        )
    return contact


def define_custom_field(
    viewer: policy.Viewer, data: dict, context: RequestContext | None = None
) -> CustomFieldDefinition:
    """Add an administrator-defined customer field."""
    policy.require(viewer, "definitions.manage")
    definition = CustomFieldDefinition(**data)
    errors: dict = {}
    if definition.field_type == CustomFieldType.CHOICE and not definition.choices:
        errors["choices"] = [_("A choice field needs choices.")]
    try:
        definition.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with unique_or_conflict("key", _("A field with this key exists already.")):
        definition.save()
        record(
            viewer.user,
            AuditAction.CREATE,
            "custom_field",
            [definition.pk],
            sorted(data),
            context,
            changes=created(data),
            name=definition.label,
        )
    return definition


def book_transaction(viewer: policy.Viewer, customer_id: int, data: dict, context):
    """Record a transaction for a customer the viewer may edit."""
    customer = _editable_customer(viewer, customer_id)
    product = None
    if data.get("product_code"):
        product = Product.objects.filter(code=data["product_code"]).first()
        if product is None:
            raise ValidationError({"product_code": [_("There is no product with this code.")]})
    if data["channel"] not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    if data["occurred_at"] > timezone.now():
        raise ValidationError({"occurred_at": [_("A transaction cannot be in the future.")]})
    values = {k: data.get(k) for k in ("amount", "channel", "occurred_at", "product_code")}
    with transaction.atomic():  # the booking and its audit entry commit together
        booked = record_transaction(
            customer,
            data["amount"],
            data["channel"],
            data["occurred_at"],
            product,
            actor=viewer.user,
        )
        record(
            viewer.user,
            AuditAction.CREATE,
            "transaction",
            [booked.pk],
            ["amount"],
            context,
            changes=created(values),
            name=customer.name,
            customers=[customer.pk],
        )
    return booked


def open_holding(viewer: policy.Viewer, customer_id: int, data: dict, context) -> Holding:
    """Record a product the customer took up (an account opened, a plan subscribed)."""
    customer = _editable_customer(viewer, customer_id)
    product = Product.objects.filter(code=data.pop("product_code")).first()
    errors: dict = {}
    if product is None:
        errors["product_code"] = [_("There is no product with this code.")]
    if data["opened_at"] > timezone.localdate():
        errors["opened_at"] = [_("A holding cannot be opened in the future.")]
    closed = data.get("closed_at")
    if closed is not None and closed < data["opened_at"]:
        errors["closed_at"] = [_("A holding cannot close before it opens.")]
    if errors or product is None:
        raise ValidationError(errors)
    holding = Holding(customer=customer, product=product, **data)
    check_storable(holding, list(data))
    with transaction.atomic():
        holding.save()
        record(
            viewer.user,
            AuditAction.CREATE,
            "holding",
            [holding.pk],
            ["product"],
            context,
            changes=created({"product": product.code, **data}),
            name=product.name,
            customers=[customer.pk],
        )
    return holding


def define_product(
    viewer: policy.Viewer, data: dict, context: RequestContext | None = None
) -> Product:
    """Add a product to the catalogue (administrators)."""
    policy.require(viewer, "definitions.manage")
    product = Product(**data)
    try:
        product.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc
    with unique_or_conflict("code", _("A product with this code exists already.")):
        product.save()
        record(
            viewer.user,
            AuditAction.CREATE,
            "product",
            [product.pk],
            sorted(data),
            context,
            changes=created(data),
            name=product.name,
        )
    return product


def _editable_contact(viewer: policy.Viewer, customer_id: int, contact_id: int) -> Contact:
    customer = _editable_customer(viewer, customer_id)
    return Contact.objects.get(pk=contact_id, customer=customer)


def update_contact(
    viewer: policy.Viewer,
    customer_id: int,
    contact_id: int,
    data: dict,
    expected_version: int,
    context,
) -> Contact:
    """Change a contact person's details; a stale version changes nothing."""
    contact = _editable_contact(viewer, customer_id, contact_id)
    errors: dict = {}
    cleaned = dict(data)
    _clean_identity(cleaned, errors)
    if "name" in cleaned and not (cleaned["name"] or "").strip():
        errors["name"] = [_("A contact needs a name.")]
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(contact, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(contact, name, value)
    check_storable(contact, list(cleaned))
    with transaction.atomic():
        save_if_version(contact, expected_version, list(cleaned))
        record(
            viewer.user,
            AuditAction.UPDATE,
            "contact",
            [contact.pk],
            sorted(cleaned),
            context,
            changes={k: [before[k], v] for k, v in cleaned.items() if before[k] != v},
            name=contact.name,
            customers=[customer_id],
        )
    return contact


def remove_contact(viewer: policy.Viewer, customer_id: int, contact_id: int, context) -> None:
    """Remove a contact person from an organisation customer."""
    contact = _editable_contact(viewer, customer_id, contact_id)
    with transaction.atomic():
        values = {k: getattr(contact, k) for k in ("name", "title", "phone", "email")}
        record(
            viewer.user,
            AuditAction.DELETE,
            "contact",
            [contact.pk],
            [],
            context,
            changes=deleted(values),
            name=contact.name,
            customers=[customer_id],
        )
        contact.delete()


def delete_group(viewer: policy.Viewer, group_id: int, context) -> None:
    """Delete a customer group (its creator or an administrator); its members stay
    customers, of course."""
    group = CustomerGroup.objects.get(pk=group_id)
    policy.require(viewer, "group.delete", group)
    users = sorted(
        CustomerGroup.objects.filter(
            kind=GroupKind.SAVED_FILTER, filter__group_id=group.pk
        ).values_list("name", flat=True)
    )
    if users:
        message = _("Saved filters use this group: %(names)s. Delete or change them first.")
        raise ValidationError({"group_id": [message % {"names": "、".join(users)}]})
    with transaction.atomic():
        record(
            viewer.user,
            AuditAction.DELETE,
            "group",
            [group.pk],
            [],
            context,
            changes=deleted({"name": group.name, "kind": group.kind}),
            name=group.name,
        )
        group.delete()


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
    customer = get_visible_customer(viewer, customer_id)
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
