"""API request and response shapes for customers."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from guanxi.api_types import BusinessDate, Money, RecordId, Version
from guanxi.customers.list_query import COUNT_LIMIT, SEARCH_CANDIDATES


class CustomerIn(Schema):
    """A new customer."""

    kind: str = "individual"
    name: str = Field(min_length=1, max_length=200)
    gender: str | None = None
    birthday: BusinessDate | None = None
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    occupation: str = ""
    external_id: str = ""
    source_channel: str = ""
    # An organisation's (kind "organisation"); refused on an individual, as gender,
    # birthday and id_number are on an organisation.
    uscc: str = Field(default="", description="Unified social credit code (统一社会信用代码).")
    legal_representative: str = ""
    registered_capital: Money | None = Field(default=None, description="In yuan.")
    industry: str = ""
    branch_id: RecordId
    owner_id: RecordId | None = None
    value_tier: str = "standard"
    custom_fields: dict[str, Any] = {}


class CustomerPatch(Schema):
    """Changes to a customer; ``version`` (or an If-Match header) is the version read."""

    version: Version | None = None
    kind: str | None = None
    name: str | None = Field(default=None, max_length=200)
    gender: str | None = None
    birthday: BusinessDate | None = None
    id_number: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    occupation: str | None = None
    external_id: str | None = None
    source_channel: str | None = None
    uscc: str | None = None
    legal_representative: str | None = None
    registered_capital: Money | None = None
    industry: str | None = None
    branch_id: RecordId | None = None
    owner_id: RecordId | None = None
    value_tier: str | None = None
    custom_fields: dict[str, Any] | None = None


class LifecycleIn(Schema):
    """A lifecycle move with its reason."""

    status: str
    reason: str = Field(max_length=300)
    version: Version | None = None


class FieldError(BaseModel):
    """One message about one field."""

    field: str
    message: str


class DuplicateOut(BaseModel):
    """A refused duplicate: the field (``id_number`` or ``uscc``) another customer has the
    value of, and that customer's id only if you may see that customer."""

    detail: list[FieldError]
    existing_id: int | None = None


class TransferIn(Schema):
    """A move to another branch: the branch, the owner there, why, and the version read."""

    branch_id: RecordId
    owner_id: RecordId | None = None
    reason: str = Field(max_length=300)
    version: Version | None = None


class TransferOut(Schema):
    """Where a transferred customer is now, and its new version."""

    id: int
    branch_id: int
    owner_id: int | None
    version: int


class TagsIn(Schema):
    """The complete set of tags for a customer."""

    tags: list[str]
    version: Version | None = None


class RevealIn(Schema):
    """Which masked field to show once, and why."""

    field: str
    reason: str = Field(max_length=300)


class RevealOut(Schema):
    """A revealed value."""

    field: str
    value: str


# Output shapes are plain pydantic models: validated natively from the selectors' dicts,
# several times faster than ninja's attribute-resolving Schema on 50-row pages.
class Person(BaseModel):
    """A member of staff as shown on a customer."""

    id: int
    name: str


class BranchRef(BaseModel):
    """A branch as shown on a customer."""

    id: int
    name: str


class _CustomerCore(BaseModel):
    """What a list row and a profile share, the resident ID apart (a person's only)."""

    id: int
    kind: str
    name: str
    phone: str | None
    email: str | None
    masked: list[str]
    revealable: list[str]
    status: str
    value_tier: str
    branch: BranchRef
    owner: Person | None
    lifetime_revenue: Decimal
    last_purchase_at: datetime | None
    version: int
    rfm_segment: str | None = Field(None, description="RFM segment of the latest finished run")
    pyramid_level: str | None = None
    churn_warning: bool | None = None
    churn_priority: bool | None = Field(None, description="On the run's churn call list")
    value_at_risk: float | None = None
    score: float | None = None
    value: float | None = Field(
        None, description="The company's value measure (a bank's AUM, an operator's monthly spend)"
    )
    aum: float | None = Field(None, description="Deposit and wealth balances (loans apart)")
    profit_12m: float | None = Field(None, description="Margin less cost to serve, 12 months")
    unprofitable: bool | None = Field(None, description="Costs more to serve than it brings")


class CustomerRow(_CustomerCore):
    """A customer in a list, personal data masked as the policy says."""

    id_number: str | None


class CustomerPageOut(BaseModel):
    """One page of customers."""

    results: list[CustomerRow]
    page: int
    page_size: int
    has_next: bool
    search_capped: bool = Field(
        False,
        description=f"The search matched more than {SEARCH_CANDIDATES:,} customers, and only"
        f" {SEARCH_CANDIDATES:,} of them were sorted and paged: narrow the search to see every"
        " match (a saved filter with the same search is exact).",
    )
    count: int = Field(
        0,
        description=f"How many customers in your scope the list has, counted up to"
        f" {COUNT_LIMIT:,} (see count_is_lower_bound).",
    )
    count_is_lower_bound: bool = Field(
        False,
        description="There are at least `count` customers: more than the list counts, or a"
        " search capped at its candidates.",
    )


class CustomFieldValue(BaseModel):
    """An administrator-defined field and its value for this customer."""

    key: str
    label: str
    value: Any = None


class _ProfileCore(_CustomerCore):
    """The profile fields of every kind of customer."""

    address: str
    occupation: str
    external_id: str
    source_channel: str
    created_at: datetime
    tags: list[str]
    version: Version | None = None
    custom_fields: list[CustomFieldValue]


class PersonProfile(_ProfileCore):
    """An individual's full profile as the viewer may see it: no organisation fields."""

    kind: Literal["individual"]
    id_number: str | None
    gender: str
    # ISO date where the ID number is shown in full, else month and day only ("**-06-15").
    birthday: str | None


class OrganisationProfile(_ProfileCore):
    """An organisation's full profile: its registration, and none of a person's fields."""

    kind: Literal["organisation"]
    uscc: str
    legal_representative: str
    registered_capital: Decimal | None
    industry: str


# Which shape a profile has is told by its ``kind``, in the OpenAPI schema too.
Profile = Annotated[PersonProfile | OrganisationProfile, Field(discriminator="kind")]


class ContactOut(BaseModel):
    """A contact person at an organisation customer."""

    id: int
    name: str
    title: str
    phone: str | None
    email: str | None
    is_primary: bool
    version: int


class ContactPatch(Schema):
    """Changes to a contact person; ``version`` (or an If-Match header) is the version read."""

    version: Version | None = None
    name: str | None = Field(default=None, max_length=100)
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    is_primary: bool | None = None


class HoldingIn(Schema):
    """A product the customer took up."""

    product_code: str
    account_number: str = Field(default="", max_length=40)
    opened_at: BusinessDate
    closed_at: BusinessDate | None = None
    balance: Money = Decimal(0)
    matures_on: BusinessDate | None = Field(None, description="When a deposit or plan ends")


class HoldingPatch(Schema):
    """Changes to a holding (the balance as the core system reports it, its closing or
    maturity); ``version`` (or an If-Match header) is the version read."""

    version: Version | None = None
    balance: Money | None = None
    closed_at: BusinessDate | None = None
    matures_on: BusinessDate | None = None


class ContactIn(Schema):
    """A new contact person."""

    name: str = Field(min_length=1, max_length=100)
    title: str = ""
    phone: str = ""
    email: str = ""
    is_primary: bool = False


class ProductRef(BaseModel):
    """A product as shown on a holding."""

    code: str
    name: str
    kind: str


class HoldingOut(BaseModel):
    """A product held."""

    id: int
    product: ProductRef
    account_number: str
    opened_at: date
    closed_at: date | None
    balance: Decimal
    matures_on: date | None
    version: int


class TransactionOut(BaseModel):
    """A transaction."""

    id: int
    occurred_at: datetime
    amount: Decimal
    channel: str
    product: str | None


class Totals(BaseModel):
    """Lifetime totals."""

    lifetime_revenue: Decimal
    transaction_count: int
    first_purchase_at: datetime | None
    last_purchase_at: datetime | None
    tenure_days: int


class GroupRef(BaseModel):
    """A group the customer belongs to."""

    id: int
    name: str
    kind: str


class LifecycleOut(BaseModel):
    """One lifecycle change."""

    from_status: str
    to_status: str
    reason: str
    at: datetime


class TimelineOut(BaseModel):
    """One timeline event."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    kind: str
    title: str
    detail: str


class Customer360(BaseModel):
    """Everything about one customer the viewer may see."""

    profile: Profile
    contacts: list[ContactOut]
    holdings: list[HoldingOut]
    recent_transactions: list[TransactionOut]
    totals: Totals
    groups: list[GroupRef]
    lifecycle: list[LifecycleOut]
    timeline: list[TimelineOut]
    can_edit: bool


class GroupIn(Schema):
    """A new customer group."""

    name: str = Field(max_length=100)
    kind: str
    filter: dict[str, Any] = {}


class GroupOut(Schema):
    """A customer group."""

    id: int
    name: str
    kind: str
    # A saved search term is shown as far as the caller sees that field on every customer
    # (masked, or null where hidden).
    filter: dict[str, Any]
    can_delete: bool


class MembersIn(Schema):
    """Customers to add to and remove from a static group; ``add_matching`` adds every
    customer of your list with these filters too (as the list's query parameters, up to
    GUANXI_BULK_MAX_CUSTOMERS)."""

    add: list[RecordId] = []
    remove: list[RecordId] = []
    add_matching: dict[str, str | int] | None = None


class AssignOwnerIn(Schema):
    """Customers to give to another account manager: by id, or every customer of your
    list matching ``matching`` (the list's query parameters), not both; at most
    GUANXI_BULK_MAX_CUSTOMERS."""

    owner_id: RecordId
    customer_ids: list[RecordId] = []
    matching: dict[str, str | int] | None = None


class AssignOwnerOut(Schema):
    """The customers whose owner changed (those the owner had already are left out)."""

    changed: list[int]


class MembersOut(Schema):
    """The size of a group after a change (the members you may see)."""

    member_count: int
