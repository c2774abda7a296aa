"""What callers give the opportunity services: the fields to set, typed (``UNSET``: not given)."""

import dataclasses
from datetime import date
from decimal import Decimal

from guanxi.customers.inputs import UNSET, Unset, _GivenFields

# The fields an update may change; the customer, pipeline and stage are set otherwise.
EDITABLE = (
    "name",
    "owner_id",
    "amount",
    "product_id",
    "expected_close_date",
    "next_step",
    "next_step_due",
    "probability",
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class OpportunityFields(_GivenFields):
    """The fields of an opportunity a caller sets; those not given hold ``UNSET``."""

    name: str | Unset = UNSET
    customer_id: int | Unset = UNSET
    pipeline_id: int | None | Unset = UNSET
    stage_id: int | None | Unset = UNSET
    owner_id: int | None | Unset = UNSET
    amount: Decimal | Unset = UNSET
    product_id: int | None | Unset = UNSET
    expected_close_date: date | None | Unset = UNSET
    next_step: str | Unset = UNSET
    next_step_due: date | None | Unset = UNSET
    probability: int | None | Unset = UNSET


@dataclasses.dataclass(frozen=True)
class TeamMember:
    """A colleague on an opportunity's team and their contribution share in percent."""

    user_id: int
    share: Decimal
    role: str = ""
