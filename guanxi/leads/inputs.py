"""What callers give the lead services: the fields to set, typed (``UNSET``: not given)."""

import dataclasses

from guanxi.customers.inputs import UNSET, Unset, _GivenFields

# The fields an edit may change; status, owner and conversion have their own services.
EDITABLE = (
    "name",
    "phone",
    "email",
    "id_number",
    "company",
    "industry",
    "territory",
    "source",
    "referrer_id",
    "campaign",
    "note",
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class LeadFields(_GivenFields):
    """The fields of a lead a caller sets; those not given hold ``UNSET``."""

    name: str | Unset = UNSET
    phone: str | Unset = UNSET
    email: str | Unset = UNSET
    id_number: str | Unset = UNSET
    company: str | Unset = UNSET
    industry: str | Unset = UNSET
    branch_id: int | Unset = UNSET
    territory: str | Unset = UNSET
    source: str | Unset = UNSET
    referrer_id: int | None | Unset = UNSET
    campaign: str | Unset = UNSET
    note: str | Unset = UNSET
    owner_id: int | None | Unset = UNSET
