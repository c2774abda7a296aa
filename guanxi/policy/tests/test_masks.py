"""The mask table: every personal field, and no field giving back what another hides."""

import datetime as dt
from decimal import Decimal

import pytest
from stdnum.cn import ric

from guanxi import policy
from guanxi.audit.services import RequestContext
from guanxi.customers import definitions, holdings, services
from guanxi.customers.inputs import CustomerFields
from guanxi.policy import Access
from guanxi.web.tests.support import client_for

URL = "/api/v1/customers"
BIRTHDAY = dt.date(1985, 6, 15)


def test_masks_of_phone_id_email_birthday_and_account_number():
    assert policy.mask_phone("13812345678") == "138****5678"
    assert policy.mask_id_number("110105198506151234") == "110105********123*"
    assert policy.mask_email("zhangsan@example.com") == "z***@example.com"
    assert policy.mask_birthday(BIRTHDAY) == "**-06-15"
    assert policy.mask_account_number("6222020200112233445") == "…3445"


def test_every_personal_field_has_a_mask():
    assert set(policy.PERSONAL_FIELDS) <= set(policy.MASKS)


def test_hidden_is_none_and_full_dates_are_iso_text():
    assert policy.present("id_number", "110105198506151234", Access.HIDDEN) is None
    assert policy.present("birthday", BIRTHDAY, Access.FULL) == "1985-06-15"


@pytest.mark.parametrize(
    ("id_access", "birthday"),
    [(Access.FULL, Access.FULL), (Access.MASKED, Access.MASKED), (Access.HIDDEN, Access.MASKED)],
)
def test_birthday_and_account_numbers_follow_the_id_numbers_access(id_access, birthday):
    access = {"phone": Access.MASKED, "id_number": id_access, "email": Access.MASKED}
    assert policy.access_to("birthday", access) is birthday
    assert policy.access_to("account_number", access) is birthday


def test_nothing_derived_is_shown_of_a_customer_the_viewer_cannot_see():
    nothing = dict.fromkeys(policy.PERSONAL_FIELDS, Access.HIDDEN)
    assert policy.access_to("birthday", nothing) is Access.HIDDEN


def test_a_masked_id_with_a_masked_birthday_leaves_a_century_of_candidates():
    number = "11010519850615" + "123"
    number += ric.calc_check_digit(number + "0")
    shown_id = policy.mask_id_number(number)
    shown_birthday = policy.mask_birthday(BIRTHDAY)
    candidates = []
    for year in range(1900, 2026):
        body = f"{shown_id[:6]}{year}{shown_birthday[3:5]}{shown_birthday[6:]}{shown_id[14:17]}"
        candidates.append(body + ric.calc_check_digit(body + "0"))
    # Every year gives a valid ID: nothing shown tells them apart.
    assert len(candidates) == 126
    assert number in candidates


@pytest.fixture
def customer(make_customer):
    return make_customer()


def test_the_360_api_shows_the_birthday_in_full_only_with_the_id(api_as, customer):
    admin = api_as("admin").get(f"{URL}/{customer.pk}").json()["profile"]
    manager = api_as("branch_manager").get(f"{URL}/{customer.pk}").json()["profile"]
    marketer = api_as("marketer").get(f"{URL}/{customer.pk}").json()["profile"]
    assert (admin["birthday"], admin["id_number"]) == ("1985-06-15", customer.id_number)
    assert manager["birthday"] == "**-06-15"
    assert "birthday" in manager["masked"]
    assert manager["id_number"][6:14] == "********"
    assert (marketer["birthday"], marketer["id_number"]) == ("**-06-15", None)


def test_the_360_page_shows_the_birthday_masked_where_the_id_is(staff, customer):
    page = client_for(staff["branch_manager"]).get(f"/customers/{customer.pk}/").content.decode()
    assert "**-06-15" in page
    assert "1985-06-15" not in page
    assert "19850615" not in page


def test_the_edit_page_does_not_prefill_a_masked_birthday(staff, customer):
    page = (
        client_for(staff["branch_manager"]).get(f"/customers/{customer.pk}/edit/").content.decode()
    )
    assert "1985-06-15" not in page


def test_holding_account_numbers_follow_the_id_numbers_access(api_as, staff, customer):
    admin = policy.Viewer.of(staff["admin"])
    definitions.product_define(
        viewer=admin, data={"code": "DEP1", "name": "定期存款", "kind": "deposit"}
    )
    holdings.holding_open(
        viewer=admin,
        customer_id=customer.pk,
        holding=holdings.NewHolding(
            product_code="DEP1",
            account_number="6222020200112233445",
            opened_at=dt.date(2024, 1, 2),
            balance=Decimal(100),
        ),
        context=RequestContext(channel="test"),
    )
    full = api_as("account_manager").get(f"{URL}/{customer.pk}").json()["holdings"]
    masked = api_as("service_agent").get(f"{URL}/{customer.pk}").json()["holdings"]
    assert full[0]["account_number"] == "6222020200112233445"
    assert masked[0]["account_number"] == "…3445"


def test_the_audit_log_shows_a_changed_birthday_masked_to_an_auditor(api_as, staff, customer):
    admin = policy.Viewer.of(staff["admin"])
    services.customer_update(
        viewer=admin,
        customer_id=customer.pk,
        changes=CustomerFields(birthday=dt.date(1985, 7, 1)),
        expected_version=customer.version,
        context=RequestContext(channel="test"),
    )
    entries = api_as("auditor").get("/api/v1/audit", {"object_id": customer.pk}).json()
    changed = next(e for e in entries if "birthday" in e["changes"])
    assert changed["changes"]["birthday"] == ["**-06-15", "**-07-01"]
