"""Organisations: their registration fields, and the fields only one kind of customer has."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from guanxi import policy
from guanxi.audit.services import RequestContext
from guanxi.customers import services
from guanxi.customers.identity import normalise_uscc
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import Customer

CONTEXT = RequestContext(channel="test")
USCC = "91110000600037341L"


@pytest.fixture
def admin(staff) -> policy.Viewer:
    return policy.Viewer.of(staff["admin"])


def create(admin, org, **fields) -> Customer:
    data = {"name": "星河科技有限公司", "kind": "organisation", "branch_id": org["north"].pk}
    return services.customer_create(
        viewer=admin, fields=CustomerFields.from_mapping({**data, **fields}), context=CONTEXT
    )


def refused_fields(call) -> set[str]:
    with pytest.raises(ValidationError) as refused:
        call()
    return set(refused.value.message_dict)


def test_a_credit_code_is_kept_upper_case_without_separators():
    assert normalise_uscc(" 9111-0000 6000 3734 1l ") == USCC


@pytest.mark.parametrize("code", ["91110000600037341A", "9111000060003734", "A1110000600037341L"])
def test_a_credit_code_that_is_not_valid_is_refused_naming_it(code):
    with pytest.raises(ValidationError) as refused:
        normalise_uscc(code)
    assert list(refused.value.message_dict) == ["uscc"]


def test_an_organisation_keeps_its_registration(admin, org):
    company = create(
        admin,
        org,
        uscc=USCC.lower(),
        legal_representative=" 赵六 ",
        registered_capital=Decimal("5000000.00"),
        industry="manufacturing",
    )
    company.refresh_from_db()
    assert (company.uscc, company.legal_representative, company.industry) == (
        USCC,
        "赵六",
        "manufacturing",
    )
    assert company.registered_capital == Decimal("5000000.00")


@pytest.mark.parametrize(
    ("name", "value"),
    [("id_number", "110105198506151230"), ("gender", "male"), ("birthday", "1985-06-15")],
)
def test_a_personal_field_on_an_organisation_is_refused_naming_it(admin, org, name, value):
    assert refused_fields(lambda: create(admin, org, **{name: value})) == {name}
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("uscc", USCC),
        ("legal_representative", "赵六"),
        ("registered_capital", Decimal(1)),
        ("industry", "finance"),
    ],
)
def test_an_organisation_field_on_an_individual_is_refused_naming_it(admin, org, name, value):
    assert refused_fields(lambda: create(admin, org, kind="individual", **{name: value})) == {name}
    assert not Customer.objects.exists()


def test_an_unknown_industry_is_refused(admin, org):
    assert refused_fields(lambda: create(admin, org, industry="mining-on-mars")) == {"industry"}


@pytest.mark.parametrize("capital", [Decimal("-1"), Decimal(10) ** 13, Decimal("1.005")])
def test_registered_capital_out_of_bounds_is_refused(admin, org, capital):
    assert refused_fields(lambda: create(admin, org, registered_capital=capital)) == {
        "registered_capital"
    }


def test_an_individual_with_a_resident_id_cannot_become_an_organisation_keeping_it(
    admin, make_customer
):
    person = make_customer("张三")

    def to_organisation():
        services.customer_update(
            viewer=admin,
            customer_id=person.pk,
            changes=CustomerFields(kind="organisation"),
            expected_version=person.version,
            context=CONTEXT,
        )

    assert refused_fields(to_organisation) == {"id_number", "gender", "birthday"}
    person.refresh_from_db()
    assert person.kind == "individual"


def test_an_individual_becomes_an_organisation_when_the_personal_fields_are_cleared(
    admin, make_customer
):
    person = make_customer("张三")
    services.customer_update(
        viewer=admin,
        customer_id=person.pk,
        changes=CustomerFields(kind="organisation", id_number="", gender="", birthday=None),
        expected_version=person.version,
        context=CONTEXT,
    )
    person.refresh_from_db()
    assert (person.kind, person.id_number, person.birthday) == ("organisation", "", None)
