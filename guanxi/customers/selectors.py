"""Reads of customers, always through the permission policy, with personal data audited.

``customer_get_for_user`` is the single way to fetch one customer: a record outside the
viewer's scope raises ``Customer.DoesNotExist``, so its existence does not leak.
"""

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.db.models import Field, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import policy
from guanxi.audit.models import AuditAction
from guanxi.audit.services import RequestContext, record
from guanxi.compiled_query import CompiledQuery
from guanxi.customers import history, lifecycle, list_analytics
from guanxi.customers.identity import national_phone
from guanxi.customers.list_query import (
    COUNT_LIMIT,
    LIST_VALUES,
    SHOWN_NAMES,
    SORTS,
    apply_list_filter,
    page_count,
    page_rows,
)
from guanxi.customers.models import (
    Contact,
    Customer,
    CustomerGroup,
    CustomerKind,
    CustomFieldDefinition,
    GroupKind,
    GroupMembership,
    LifecycleStatus,
    Tag,
    ValueTier,
)
from guanxi.customers.search import search_terms
from guanxi.customers.timeline import customer_timeline
from guanxi.storable import MAX_RECORD_ID

FILTER_KEYS = ("q", "status", "value_tier", "branch_id", "owner_id", "group_id", "tag")
MAX_PAGE_SIZE = 200
CUSTOMER_COLUMNS = [f.attname for f in Customer._meta.concrete_fields]
CENTS = Decimal("0.01")
LIFECYCLE_SHOWN = 20


def customer_get_for_user(*, viewer: policy.Viewer, customer_id: int) -> Customer:
    """One customer the viewer may see, or ``Customer.DoesNotExist``."""
    return (
        policy.customer_scope(viewer, Customer.objects.select_related("branch", "owner__profile"))
        .filter(pk=customer_id)
        .get()
    )


def customer_get_editable_for_user(*, viewer: policy.Viewer, customer_id: int) -> Customer:
    """A customer the viewer may change: out of scope reads as missing, in scope but not
    editable is forbidden."""
    customer = customer_get_for_user(viewer=viewer, customer_id=customer_id)
    policy.require(viewer, "customer.edit", customer)
    return customer


@CompiledQuery
def _customer_in_scope(
    customer_id: int, everyone: int, own_id: int, branch_id: int, team_of: int
) -> QuerySet:
    in_scope = policy.scope_condition(everyone, own_id, branch_id, team_of)
    return (
        Customer.objects.filter(in_scope, pk=customer_id)
        .annotate(**SHOWN_NAMES)
        .values(*CUSTOMER_COLUMNS, *SHOWN_NAMES)
    )


def _visible_customer_with_names(viewer: policy.Viewer, customer_id: int) -> Customer:
    """As ``customer_get_for_user``, with the branch and owner names read in the same query."""
    found = _customer_in_scope.rows(customer_id=customer_id, **policy.scope_values(viewer))
    if not found:
        raise Customer.DoesNotExist
    values = found[0]
    customer = Customer.from_db("default", CUSTOMER_COLUMNS, [values[c] for c in CUSTOMER_COLUMNS])
    customer.branch_name, customer.owner_name = values["branch_name"], values["owner_name"]
    return customer


def _int_or_error(value, name: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[name] = [_("Expected a whole number.")]
        return None
    if not 1 <= number <= MAX_RECORD_ID:
        errors[name] = [_("There is no record with this ID.")]
        return None
    return number


def clean_list_filter(raw: dict) -> dict:
    """Validate a list filter (also the definition of a saved-filter group)."""
    errors: dict = {k: [_("Unknown filter.")] for k in raw if k not in FILTER_KEYS}
    clean: dict = {}
    if raw.get("q"):
        clean["q"] = str(raw["q"])[:100]
    if raw.get("status"):
        if raw["status"] not in LifecycleStatus.values:
            errors["status"] = [_("Unknown lifecycle status.")]
        clean["status"] = raw["status"]
    if raw.get("value_tier"):
        if raw["value_tier"] not in ValueTier.values:
            errors["value_tier"] = [_("Unknown value tier.")]
        clean["value_tier"] = raw["value_tier"]
    for key in ("branch_id", "owner_id", "group_id"):
        value = _int_or_error(raw.get(key), key, errors)
        if value is not None:
            clean[key] = value
    if raw.get("tag"):
        clean["tag"] = str(raw["tag"])
    if "group_id" in clean and not CustomerGroup.objects.filter(pk=clean["group_id"]).exists():
        errors["group_id"] = [_("There is no such group.")]
    if errors:
        raise ValidationError(errors)
    return clean


@dataclass(frozen=True)
class CustomerPage:
    """One page of a customer list."""

    rows: list[dict]
    page: int
    page_size: int
    has_next: bool
    # The search matched more customers than a list ranks (SEARCH_CANDIDATES): the page
    # sorts and pages that many of them only, and the search should be narrowed.
    search_capped: bool = False
    # How many customers the list has; when ``count_is_lower_bound``, at least that many.
    count: int = 0
    count_is_lower_bound: bool = False
    # Whether an analysis run has finished, whose scores the rows show.
    has_scores: bool = False


@functools.cache
def _access_summary(access: tuple[tuple[str, policy.Access], ...]) -> dict:
    # Rows of a page share a handful of access patterns; each is summarised once.
    return {
        "masked": tuple(sorted(k for k, v in access if v is policy.Access.MASKED)),
        "revealable": tuple(sorted(k for k, v in access if policy.can_reveal(v))),
        "audited": (
            "name",
            *(f"{k}:{v.name.lower()}" for k, v in access if v is not policy.Access.HIDDEN),
        ),
    }


def _present_personal(phone: str, id_number: str, email: str, access: dict) -> dict:
    summary = _access_summary(tuple(access.items()))
    shown_phone, shown_email = present_contact(phone, email, access)
    return {
        "phone": shown_phone,
        "id_number": policy.present("id_number", id_number, access["id_number"]),
        "email": shown_email,
        "masked": summary["masked"],
        "revealable": summary["revealable"],
    }


def present_contact(phone: str, email: str, access: dict) -> tuple[str, str]:
    """A list row's phone number and e-mail as the viewer may see them, masked as
    ``present_row`` masks them: for the export, which shows no other personal field and
    needs no row dictionary built per customer."""
    return (
        policy.present("phone", national_phone(phone) if phone else "", access["phone"]),
        policy.present("email", email, access["email"]),
    )


def present_row(values: dict, access: dict) -> dict:
    """A list row as the viewer may see it (``access``: ``policy.field_access``'s)."""
    return _row(values, access)


def _row(values: dict, access: dict) -> dict:
    owner = None
    if values["owner_id"] is not None:
        owner = {"id": values["owner_id"], "name": values["owner_name"]}
    return {
        "id": values["id"],
        "kind": values["kind"],
        "name": values["name"],
        **_present_personal(values["phone"], values["id_number"], values["email"], access),
        "status": values["status"],
        "value_tier": values["value_tier"],
        "branch": {"id": values["branch_id"], "name": values["branch_name"]},
        "owner": owner,
        "lifetime_revenue": values["lifetime_revenue"],
        "last_purchase_at": values["last_purchase_at"],
        "version": values["version"],
        **{name: values.get(name) for name in ROW_SCORES},
    }


ROW_SCORES: tuple[str, ...] = ("rfm_segment", "pyramid_level", "churn_warning", "churn_priority")
ROW_SCORES += ("value_at_risk", "score", "value", "aum", "profit_12m", "unprofitable")


def _audit_fields(access: dict) -> list[str]:
    return list(_access_summary(tuple(access.items()))["audited"])


def identifying_search(viewer: policy.Viewer, query: str) -> dict[str, str]:
    """The personal fields a search compares with, and their values, if the viewer may.

    Raises a ValidationError naming ``q`` when the search would compare with a field the
    viewer may not see: the answer would tell whether such a customer exists.
    """
    terms = search_terms(query)
    searched = terms.identifying if terms else {}
    refused = [
        cast(Field, Customer._meta.get_field(f)).verbose_name
        for f in sorted(searched)
        if not policy.may_search_by(viewer, f)
    ]
    if refused:
        message = _("Your role may not search customers by %(fields)s.") % {
            "fields": "、".join(str(f) for f in refused)
        }
        raise ValidationError({"q": [message]})
    return searched


@dataclass(frozen=True)
class ListRequest:
    """A checked list request: what ``page_rows`` and ``page_count`` need."""

    clean: dict
    query: str
    sort: str
    analytics: dict
    run_id: int | None
    searched: dict


def list_request_for_user(
    *, viewer: policy.Viewer, raw_filter: dict, sort: str = "name", extra_errors: dict | None = None
) -> ListRequest:
    """Validate a list's filters, analytics filters, search and sort; a ValidationError
    names every parameter at fault."""
    errors = dict(extra_errors or {})
    if sort not in SORTS:
        errors["sort"] = [_("Sort by one of: %(sorts)s") % {"sorts": ", ".join(SORTS)}]
    raw = dict(raw_filter)
    raw_analytics = {k: raw.pop(k) for k in list_analytics.ANALYTICS_KEYS if k in raw}
    clean: dict = {}
    analytics: dict = {}
    try:
        clean = clean_list_filter(raw)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        analytics = list_analytics.clean_analytics_filter(raw_analytics)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    searched = {} if errors else identifying_search(viewer, clean.get("q", ""))
    if errors:
        raise ValidationError(errors)
    run_id = list_analytics.current_run_id()  # the rows show its scores in any case
    query = clean.pop("q", "")
    return ListRequest(clean, query, sort, analytics, run_id, searched)


def customer_list_for_user(
    *,
    viewer: policy.Viewer,
    raw_filter: dict,
    context: RequestContext,
    sort: str = "name",
    page: int = 1,
    page_size: int = 50,
) -> CustomerPage:
    """A filtered, sorted page of the customers in the viewer's scope, with how many there
    are; reads are audited.

    Analytics filters and sorts (``list_analytics``) use the latest finished analysis run;
    without one, an analytics filter matches nobody and an analytics sort is the name order.
    """
    errors = {}
    if page < 1:
        errors["page"] = [_("Pages start at 1.")]
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = [_("Between 1 and %(max)s.") % {"max": MAX_PAGE_SIZE}]
    request = list_request_for_user(
        viewer=viewer, raw_filter=raw_filter, sort=sort, extra_errors=errors
    )
    window = slice((page - 1) * page_size, page * page_size + 1)  # one more: is there a next?
    found = page_rows(
        viewer, request.clean, request.query, sort, window, request.analytics, request.run_id
    )
    total = page_count(viewer, request.clean, request.query, request.analytics, request.run_id)
    has_next = len(found) > page_size
    found = found[:page_size]
    refs = [policy.CustomerRef(v["id"], v["owner_id"], v["branch_id"]) for v in found]
    access = policy.field_access(viewer, refs)
    rows = [_row(v, access[v["id"]]) for v in found]
    _audit_reads(viewer, refs, access, context)
    if request.searched:
        changes = {name: [None, value] for name, value in request.searched.items()}
        ids = [r.pk for r in refs]
        record(
            viewer.user,
            AuditAction.SEARCH,
            "customer",
            ids,
            sorted(request.searched),
            context,
            changes=changes,
        )
    capped = bool(found) and bool(found[0].get("search_capped"))
    return CustomerPage(
        rows=rows,
        page=page,
        page_size=page_size,
        has_next=has_next,
        search_capped=capped,
        count=min(total, COUNT_LIMIT),
        count_is_lower_bound=capped or total > COUNT_LIMIT,
        has_scores=request.run_id is not None,
    )


def _audit_reads(viewer, customers: list[policy.CustomerRef], access: dict, context) -> None:
    # One entry names every customer shown; its fields are every access the page used
    # (phone:full for own customers beside phone:masked for the others).
    fields = sorted({f for c in customers for f in _audit_fields(access[c.pk])})
    ids = [c.pk for c in customers]
    record(viewer.user, AuditAction.READ, "customer", ids, fields, context)


def _totals(customer: Customer) -> dict:
    since = timezone.localdate(customer.created_at) if customer.created_at else timezone.localdate()
    return {
        "lifetime_revenue": customer.lifetime_revenue.quantize(CENTS),
        "transaction_count": customer.transaction_count,
        "first_purchase_at": customer.first_purchase_at,
        "last_purchase_at": customer.last_purchase_at,
        "tenure_days": (timezone.localdate() - since).days,
    }


@CompiledQuery
def _group_candidates(customer_id: int) -> QuerySet:
    member_of = GroupMembership.objects.filter(customer_id=customer_id).values("group_id")
    return CustomerGroup.objects.filter(
        Q(pk__in=member_of) | Q(kind=GroupKind.SAVED_FILTER)
    ).values("id", "name", "kind", "filter")


# SQLite allows 500 parts in one compound SELECT.
SAVED_GROUPS_PER_QUERY = 400


def _saved_groups_matching(customer_id: int, groups: list[dict]) -> set[int]:
    """Which saved-filter groups' filters match the customer: one query for up to 400."""
    matching: set[int] = set()
    for start in range(0, len(groups), SAVED_GROUPS_PER_QUERY):
        parts = [
            apply_list_filter(Customer.objects.filter(pk=customer_id), g["filter"])
            .annotate(group_id=Value(g["id"]))
            .values_list("group_id", flat=True)
            for g in groups[start : start + SAVED_GROUPS_PER_QUERY]
        ]
        matching.update(parts[0].union(*parts[1:], all=True))
    return matching


def _groups(customer: Customer) -> list[dict]:
    candidates = _group_candidates.rows(customer_id=customer.pk)
    static = [g for g in candidates if g["kind"] == GroupKind.STATIC]
    saved = [g for g in candidates if g["kind"] == GroupKind.SAVED_FILTER]
    matching = _saved_groups_matching(customer.pk, saved)
    saved = [g for g in saved if g["id"] in matching]
    return [{"id": g["id"], "name": g["name"], "kind": g["kind"]} for g in static + saved]


# Columns a search term compared with is identifying for, by the field they hold.
IDENTIFYING_COLUMNS = {
    "phone": "phone",
    "phone_last4": "phone",
    "id_number": "id_number",
    "email": "email",
}


def shown_filter(saved: dict, access: dict[str, policy.Access]) -> dict:
    """A saved filter with its search term as the viewer may see it (see ``GroupOut``)."""
    terms = search_terms(saved.get("q") or "")
    if terms is None:
        return saved
    fields = {IDENTIFYING_COLUMNS[c] for _how, c in terms.comparisons if c in IDENTIFYING_COLUMNS}
    if not fields:
        return saved
    least = min(fields, key=lambda f: access[f])
    return {**saved, "q": policy.present(least, saved["q"], access[least])}


def present_group(viewer: policy.Viewer, group: CustomerGroup) -> dict:
    """One group as the viewer may see it, with whether they may delete it."""
    return {
        "id": group.pk,
        "name": group.name,
        "kind": group.kind,
        "filter": shown_filter(group.filter, policy.access_everywhere(viewer)),
        "can_delete": policy.allows(viewer, "group.delete", group),
    }


def list_groups(viewer: policy.Viewer) -> list[dict]:
    """Every customer group, as ``present_group`` shows it, by name."""
    return [present_group(viewer, g) for g in CustomerGroup.objects.order_by("name")]


def group_get_for_user(*, viewer: policy.Viewer, group_id: int) -> CustomerGroup:
    """A group the viewer may see (``group.view``); ``CustomerGroup.DoesNotExist`` if none."""
    return policy.scoped(viewer, CustomerGroup.objects.all(), "group.view").get(pk=group_id)


def group_member_count(viewer: policy.Viewer, group: CustomerGroup) -> int:
    """How many of a static group's members the viewer may see."""
    visible = policy.customer_scope(viewer, Customer.objects.all()).values("pk")
    return GroupMembership.objects.filter(group=group, customer_id__in=visible).count()


@CompiledQuery
def _custom_field_definitions() -> QuerySet:
    return CustomFieldDefinition.objects.values("key", "label")


def _custom_fields(customer: Customer) -> list[dict]:
    return [
        {"key": d["key"], "label": d["label"], "value": customer.custom_fields.get(d["key"])}
        for d in _custom_field_definitions.rows()
    ]


@CompiledQuery
def _tags(customer_id: int) -> QuerySet:
    return Tag.objects.filter(customers=customer_id).values("name")


def _holdings(customer: Customer, access: policy.Access) -> list[dict]:
    return [
        {
            "id": h["id"],
            "product": {
                "code": h["product__code"],
                "name": h["product__name"],
                "kind": h["product__kind"],
            },
            "account_number": policy.present("account_number", h["account_number"], access),
            "opened_at": h["opened_at"],
            "closed_at": h["closed_at"],
            "balance": h["balance"],
            "matures_on": h["matures_on"],
            "version": h["version"],
        }
        for h in history.holdings(customer)
    ]


def _transactions(customer: Customer) -> list[dict]:
    return [
        {
            "id": t["id"],
            "occurred_at": t["occurred_at"],
            "amount": t["amount"],
            "channel": t["channel"],
            "product": t["product__name"],
        }
        for t in history.recent_transactions(customer)
    ]


@CompiledQuery
def _contact_rows(customer_id: int) -> QuerySet:
    return Contact.objects.filter(customer_id=customer_id).values(
        "id", "name", "title", "phone", "email", "is_primary", "version"
    )


def _contacts(customer: Customer, access: dict) -> list[dict]:
    if customer.kind != CustomerKind.ORGANISATION:
        return []
    return [
        {
            "id": c["id"],
            "name": c["name"],
            "title": c["title"],
            "phone": policy.present("phone", national_phone(c["phone"]), access["phone"]),
            "email": policy.present("email", c["email"], access["email"]),
            "is_primary": c["is_primary"],
            "version": c["version"],
        }
        for c in _contact_rows.rows(customer_id=customer.pk)
    ]


def _lifecycle(customer: Customer) -> list[dict]:
    return [
        {
            "from_status": c["from_status"],
            "to_status": c["to_status"],
            "reason": lifecycle.shown_reason(c["from_status"], c["reason"]),
            "at": c["changed_at"],
        }
        for c in history.lifecycle_changes(customer)[:LIFECYCLE_SHOWN]
    ]


PERSON_ONLY = ("id_number", "birthday")


def customer_360_for_user(
    *, viewer: policy.Viewer, customer_id: int, context: RequestContext
) -> dict:
    """Everything about one customer the viewer may see, in one structure; audited."""
    customer = _visible_customer_with_names(viewer, customer_id)
    access = policy.field_access(viewer, [customer])[customer.pk]
    birthday = policy.access_to("birthday", access)
    row = _row({f: getattr(customer, f) for f in LIST_VALUES}, access)
    if birthday is policy.Access.MASKED and customer.birthday:
        row["masked"] = tuple(sorted((*row["masked"], "birthday")))
    if customer.kind == CustomerKind.ORGANISATION:  # a company has no resident ID to mask
        row["masked"] = tuple(f for f in row["masked"] if f not in PERSON_ONLY)
        row["revealable"] = tuple(f for f in row["revealable"] if f not in PERSON_ONLY)
    profile = {
        **row,
        "gender": customer.gender,
        "birthday": policy.present("birthday", customer.birthday, birthday)
        if customer.birthday
        else None,
        "address": customer.address,
        "occupation": customer.occupation,
        "external_id": customer.external_id,
        "source_channel": customer.source_channel,
        # An organisation's registration: it names a company, not a person, so unmasked.
        "uscc": customer.uscc,
        "legal_representative": customer.legal_representative,
        "registered_capital": customer.registered_capital,
        "industry": customer.industry,
        "created_at": customer.created_at,
        "tags": sorted(t["name"] for t in _tags.rows(customer_id=customer.pk)),
        "custom_fields": _custom_fields(customer),
    }
    result = {
        "profile": profile,
        "contacts": _contacts(customer, access),
        "holdings": _holdings(customer, policy.access_to("account_number", access)),
        "recent_transactions": _transactions(customer),
        "totals": _totals(customer),
        "groups": _groups(customer),
        "lifecycle": _lifecycle(customer),
        "timeline": customer_timeline(viewer, customer),
        "can_edit": policy.allows(viewer, "customer.edit", customer),
    }
    fields = [*_audit_fields(access), "address", "birthday", "contacts", "holdings"]
    record(viewer.user, AuditAction.READ, "customer", [customer.pk], fields, context)
    return result
