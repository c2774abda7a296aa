"""REST endpoints for customers: thin handlers that parse, call a service, and return."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from guanxi.api_types import Moment, Money, PageNumber, RecordId
from guanxi.customers import (
    contacts,
    definitions,
    exports,
    groups,
    holdings,
    owners,
    reveals,
    selection,
    selectors,
    services,
)
from guanxi.customers.inputs import ContactFields, CustomerFields
from guanxi.customers.models import CustomFieldDefinition, Product
from guanxi.customers.schemas import (
    AssignOwnerIn,
    AssignOwnerOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    Customer360,
    CustomerIn,
    CustomerPageOut,
    CustomerPatch,
    DuplicateOut,
    GroupIn,
    GroupOut,
    HoldingIn,
    HoldingOut,
    HoldingPatch,
    LifecycleIn,
    MembersIn,
    MembersOut,
    RevealIn,
    RevealOut,
    TagsIn,
    TransactionOut,
    TransferIn,
    TransferOut,
)
from guanxi.request_context import context_of, viewer_of

router = Router(tags=["customers"])


class ExportQuery(Schema):
    """Search, filters and sort of the customer list, for an export of all of it."""

    q: str = ""
    status: str = ""
    value_tier: str = ""
    branch_id: RecordId | None = None
    owner_id: RecordId | None = None
    group_id: RecordId | None = None
    tag: str = ""
    segment: str = ""
    pyramid_level: str = ""
    churn_warning: str = ""
    churn_kind: str = ""
    churn_priority: str = ""
    min_score: str = ""
    sort: str = "name"


class ListQuery(ExportQuery):
    """Search, filters, sort and paging of the customer list."""

    page: PageNumber = 1
    page_size: int = 50


def expected_version(request: HttpRequest, body_version: int | None) -> int:
    """The version an update is based on: If-Match header or ``version`` field, required."""
    header = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if header:
        try:
            return int(header)
        except ValueError as exc:
            raise ValidationError({"If-Match": [_("Send the version number read.")]}) from exc
    if body_version is None:
        raise ValidationError(
            {"version": [_("Send the version you read (field version or If-Match).")]}
        )
    return body_version


@router.get("", response=CustomerPageOut)
def list_customers(request: HttpRequest, query: Query[ListQuery]):
    """Search and filter the customers in your scope."""
    params = query.dict()
    sort, page, page_size = params.pop("sort"), params.pop("page"), params.pop("page_size")
    filters = {k: v for k, v in params.items() if v not in ("", None)}
    found = selectors.customer_list_for_user(
        viewer=viewer_of(request),
        raw_filter=filters,
        context=context_of(request, "api"),
        sort=sort,
        page=page,
        page_size=page_size,
    )
    return {
        "results": found.rows,
        "page": found.page,
        "page_size": found.page_size,
        "has_next": found.has_next,
        "search_capped": found.search_capped,
        "count": found.count,
        "count_is_lower_bound": found.count_is_lower_bound,
    }


def _export(request: HttpRequest, query: ExportQuery, kind: str):
    params = query.dict()
    sort = params.pop("sort")
    export = exports.customer_export_for_user(
        viewer=viewer_of(request),
        raw_filter={k: v for k, v in params.items() if v not in ("", None)},
        context=context_of(request, "api"),
        sort=sort,
    )
    return exports.export_response(export, kind)


@router.get("/export.csv")
def export_customers_csv(request: HttpRequest, query: Query[ExportQuery]):
    """The whole list with these filters as CSV (UTF-8 with BOM), masked as the list is;
    audited; more than GUANXI_EXPORT_MAX_ROWS customers is a 422."""
    return _export(request, query, "csv")


@router.get("/export.xlsx")
def export_customers_xlsx(request: HttpRequest, query: Query[ExportQuery]):
    """The whole list with these filters as an Excel workbook; as export.csv."""
    return _export(request, query, "xlsx")


@router.post("", response={201: Customer360, 409: DuplicateOut})
def create_customer(request: HttpRequest, payload: CustomerIn):
    """Create a customer; one with the resident ID number or credit code of an existing
    customer is refused (409)."""
    given = {k: v for k, v in payload.dict().items() if v is not None}
    context = context_of(request, "api")
    customer = services.customer_create(
        viewer=viewer_of(request), fields=CustomerFields.from_mapping(given), context=context
    )
    return Status(
        201,
        selectors.customer_360_for_user(
            viewer=viewer_of(request), customer_id=customer.pk, context=context
        ),
    )


@router.get("/{int:customer_id}", response=Customer360)
def customer_360(request: HttpRequest, customer_id: RecordId):
    """Profile, holdings, transactions, totals, groups and timeline of one customer."""
    return selectors.customer_360_for_user(
        viewer=viewer_of(request), customer_id=customer_id, context=context_of(request, "api")
    )


@router.patch("/{int:customer_id}", response=Customer360)
def update_customer(request: HttpRequest, customer_id: RecordId, payload: CustomerPatch):
    """Change fields of a customer; a stale version changes nothing."""
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    viewer, context = viewer_of(request), context_of(request, "api")
    services.customer_update(
        viewer=viewer,
        customer_id=customer_id,
        changes=CustomerFields.from_mapping(data),
        expected_version=version,
        context=context,
    )
    return selectors.customer_360_for_user(viewer=viewer, customer_id=customer_id, context=context)


@router.post("/{int:customer_id}/lifecycle", response=Customer360)
def change_lifecycle(request: HttpRequest, customer_id: RecordId, payload: LifecycleIn):
    """Move a customer to another lifecycle status, with a reason."""
    version = expected_version(request, payload.version)
    viewer, context = viewer_of(request), context_of(request, "api")
    services.customer_change_lifecycle(
        viewer=viewer,
        customer_id=customer_id,
        to_status=payload.status,
        reason=payload.reason,
        expected_version=version,
        context=context,
    )
    return selectors.customer_360_for_user(viewer=viewer, customer_id=customer_id, context=context)


@router.post("/{int:customer_id}/transfer", response=TransferOut)
def transfer(request: HttpRequest, customer_id: RecordId, payload: TransferIn):
    """Move a customer to another branch and an owner there (administrators; audited)."""
    version = expected_version(request, payload.version)
    viewer, context = viewer_of(request), context_of(request, "api")
    customer = services.customer_transfer(
        viewer=viewer,
        customer_id=customer_id,
        branch_id=payload.branch_id,
        owner_id=payload.owner_id,
        reason=payload.reason,
        expected_version=version,
        context=context,
    )
    return customer


@router.put("/{int:customer_id}/tags", response=list[str])
def set_tags(request: HttpRequest, customer_id: RecordId, payload: TagsIn):
    """Replace the customer's tags; send the customer's version read."""
    version = expected_version(request, payload.version)
    return services.customer_set_tags(
        viewer=viewer_of(request),
        customer_id=customer_id,
        names=payload.tags,
        expected_version=version,
        context=context_of(request, "api"),
    )


@router.post("/{int:customer_id}/reveal", response=RevealOut)
def reveal(request: HttpRequest, customer_id: RecordId, payload: RevealIn):
    """Show one masked value once, with a reason (audited)."""
    value = reveals.customer_reveal_field(
        viewer=viewer_of(request),
        customer_id=customer_id,
        field=payload.field,
        reason=payload.reason,
        context=context_of(request, "api"),
    )
    return {"field": payload.field, "value": value}


@router.post("/{int:customer_id}/contacts", response={201: ContactOut})
def add_contact(request: HttpRequest, customer_id: RecordId, payload: ContactIn):
    """Add a contact person to an organisation customer."""
    viewer, context = viewer_of(request), context_of(request, "api")
    contacts.contact_add(
        viewer=viewer,
        customer_id=customer_id,
        fields=ContactFields.from_mapping(payload.dict()),
        context=context,
    )
    card = selectors.customer_360_for_user(viewer=viewer, customer_id=customer_id, context=context)
    return Status(201, card["contacts"][-1])


@router.patch("/{int:customer_id}/contacts/{int:contact_id}", response=ContactOut)
def update_contact(
    request: HttpRequest, customer_id: RecordId, contact_id: RecordId, payload: ContactPatch
):
    """Change a contact person's details."""
    viewer, context = viewer_of(request), context_of(request, "api")
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    contacts.contact_update(
        viewer=viewer,
        customer_id=customer_id,
        contact_id=contact_id,
        changes=ContactFields.from_mapping(data),
        expected_version=version,
        context=context,
    )
    card = selectors.customer_360_for_user(viewer=viewer, customer_id=customer_id, context=context)
    return next(c for c in card["contacts"] if c["id"] == contact_id)


@router.delete("/{int:customer_id}/contacts/{int:contact_id}", response={204: None})
def remove_contact(request: HttpRequest, customer_id: RecordId, contact_id: RecordId):
    """Remove a contact person."""
    contacts.contact_remove(
        viewer=viewer_of(request),
        customer_id=customer_id,
        contact_id=contact_id,
        context=context_of(request, "api"),
    )
    return Status(204, None)


@router.post("/{int:customer_id}/holdings", response={201: HoldingOut})
def open_holding(request: HttpRequest, customer_id: RecordId, payload: HoldingIn):
    """Record a product the customer took up."""
    viewer, context = viewer_of(request), context_of(request, "api")
    holding = holdings.holding_open(
        viewer=viewer,
        customer_id=customer_id,
        holding=holdings.NewHolding(**payload.dict()),
        context=context,
    )
    card = selectors.customer_360_for_user(viewer=viewer, customer_id=customer_id, context=context)
    return Status(201, next(h for h in card["holdings"] if h["id"] == holding.pk))


@router.patch("/{int:customer_id}/holdings/{int:holding_id}", response=HoldingOut)
def update_holding(
    request: HttpRequest, customer_id: RecordId, holding_id: RecordId, payload: HoldingPatch
):
    """Change a holding's balance, closing day or maturity; a stale version changes nothing."""
    viewer, context = viewer_of(request), context_of(request, "api")
    data = payload.dict(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    holdings.holding_update(
        viewer=viewer,
        customer_id=customer_id,
        holding_id=holding_id,
        changes=data,
        expected_version=version,
        context=context,
    )
    card = selectors.customer_360_for_user(viewer=viewer, customer_id=customer_id, context=context)
    return next(h for h in card["holdings"] if h["id"] == holding_id)


class TransactionIn(Schema):
    """A transaction to book."""

    amount: Money
    channel: str
    occurred_at: Moment
    product_code: str = ""


@router.post("/{int:customer_id}/transactions", response={201: TransactionOut})
def book_transaction(request: HttpRequest, customer_id: RecordId, payload: TransactionIn):
    """Book a purchase (positive) or refund (negative)."""
    booked = holdings.transaction_book(
        viewer=viewer_of(request),
        customer_id=customer_id,
        booking=holdings.Booking(**payload.dict()),
        context=context_of(request, "api"),
    )
    return Status(
        201,
        {
            "id": booked.pk,
            "occurred_at": booked.occurred_at,
            "amount": booked.amount,
            "channel": booked.channel,
            "product": booked.product.name if booked.product else None,
        },
    )


@router.get("/groups", response=list[GroupOut])
def list_groups(request: HttpRequest):
    """Every customer group; saved search terms as far as you may see them."""
    return selectors.list_groups(viewer_of(request))


@router.post("/groups", response={201: GroupOut})
def create_group(request: HttpRequest, payload: GroupIn):
    """Create a static list or a saved-filter group."""
    viewer = viewer_of(request)
    group = groups.group_create(
        viewer=viewer,
        name=payload.name,
        kind=payload.kind,
        saved_filter=payload.filter,
        context=context_of(request, "api"),
    )
    return Status(201, selectors.present_group(viewer, group))


def _matching(request: HttpRequest, raw_filter: dict, field: str) -> list[int]:
    """The ids of the caller's list with these filters; errors named under ``field``."""
    try:
        return selection.customer_ids_matching_for_user(
            viewer=viewer_of(request), raw_filter={k: str(v) for k, v in raw_filter.items()}
        )
    except ValidationError as exc:
        errors = exc.message_dict.items()
        named = {field if k == "selection" else f"{field}.{k}": v for k, v in errors}
        raise ValidationError(named) from exc


@router.post("/groups/{int:group_id}/members", response=MembersOut)
def change_members(request: HttpRequest, group_id: RecordId, payload: MembersIn):
    """Add and remove members of a static group."""
    add = payload.add
    if payload.add_matching is not None:
        add = sorted({*add, *_matching(request, payload.add_matching, "add_matching")})
    count = groups.group_change_members(
        viewer=viewer_of(request),
        group_id=group_id,
        add=add,
        remove=payload.remove,
        context=context_of(request, "api"),
    )
    return {"member_count": count}


@router.post("/assign-owner", response=AssignOwnerOut)
def assign_owner(request: HttpRequest, payload: AssignOwnerIn):
    """Give customers to another account manager of their branch (administrators, branch
    managers and team leads, within their scope); all or nothing, audited per customer."""
    ids = payload.customer_ids
    if payload.matching is not None:
        if ids:
            message = _("Send customer ids or a filter, not both.")
            raise ValidationError({"matching": [message]})
        ids = _matching(request, payload.matching, "matching")
    changed = owners.customer_assign_owner(
        viewer=viewer_of(request),
        customer_ids=ids,
        owner_id=payload.owner_id,
        context=context_of(request, "api"),
    )
    return {"changed": changed}


@router.delete("/groups/{int:group_id}", response={204: None})
def delete_group(request: HttpRequest, group_id: RecordId):
    """Delete a group."""
    groups.group_delete(
        viewer=viewer_of(request), group_id=group_id, context=context_of(request, "api")
    )
    return Status(204, None)


class CustomFieldIn(Schema):
    """A custom field definition."""

    key: str
    label: str
    field_type: str
    choices: list[str] = []
    required: bool = False


@router.get("/custom-fields", response=list[CustomFieldIn])
def list_custom_fields(request: HttpRequest):
    """The administrator-defined customer fields."""
    return list(CustomFieldDefinition.objects.all())


@router.post("/custom-fields", response={201: CustomFieldIn})
def define_custom_field(request: HttpRequest, payload: CustomFieldIn):
    """Define a new customer field (administrators)."""
    definition = definitions.custom_field_define(
        viewer=viewer_of(request), data=payload.dict(), context=context_of(request, "api")
    )
    return Status(201, definition)


class ProductOut(Schema):
    """A catalogue product."""

    code: str
    name: str
    kind: str


@router.get("/products", response=list[ProductOut])
def list_products(request: HttpRequest):
    """The product catalogue."""
    return list(Product.objects.all())


@router.post("/products", response={201: ProductOut})
def define_product(request: HttpRequest, payload: ProductOut):
    """Add a product to the catalogue (administrators)."""
    product = definitions.product_define(
        viewer=viewer_of(request), data=payload.dict(), context=context_of(request, "api")
    )
    return Status(201, product)
