"""The create-customer page: who may open it, what it offers, and duplicates before saving."""

import pytest
from django.urls import reverse

from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.conftest import resident_id
from guanxi.customers.models import Customer
from guanxi.web.tests.support import client_for

URL = reverse("customers:create")
CREATORS = ["admin", "branch_manager", "team_lead", "account_manager"]
OTHERS = ["service_agent", "marketer", "analyst", "auditor"]
USCC = "91110000600037341L"


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def person(org, staff) -> dict:
    """The form of a new individual, placed with the account manager in the north branch."""
    return {
        "kind": "individual",
        "name": "王二",
        "branch": str(org["north"].pk),
        "owner": str(staff["account_manager"].pk),
        "phone": "13912340000",
    }


def test_the_page_needs_a_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


@pytest.mark.parametrize("role", CREATORS)
def test_every_role_that_may_create_customers_opens_the_page(staff, role):
    response = client_for(staff[role]).get(URL)
    assert response.status_code == 200
    assert 'id="customer-form"' in html(response)


@pytest.mark.parametrize("role", OTHERS)
def test_a_role_that_may_not_create_customers_gets_403(staff, role):
    assert client_for(staff[role]).get(URL).status_code == 403


@pytest.mark.parametrize("role", OTHERS)
def test_a_role_that_may_not_create_customers_cannot_post_one(staff, person, role):
    response = client_for(staff[role]).post(URL, person)
    assert response.status_code == 403
    assert not Customer.objects.exists()


@pytest.mark.parametrize("role", CREATORS)
def test_the_list_shows_the_new_customer_button_to_creators(staff, role):
    assert 'id="new-customer"' in html(client_for(staff[role]).get(reverse("customers:list")))


@pytest.mark.parametrize("role", OTHERS)
def test_the_list_shows_no_new_customer_button_to_other_roles(staff, role):
    assert 'id="new-customer"' not in html(client_for(staff[role]).get(reverse("customers:list")))


def test_an_individual_has_personal_fields_and_no_organisation_fields(staff):
    form = client_for(staff["admin"]).get(URL).context["form"]
    assert {"id_number", "gender", "birthday"} <= set(form.fields)
    assert not {"uscc", "legal_representative", "registered_capital", "industry"} & set(form.fields)


def test_an_organisation_has_organisation_fields_and_no_personal_fields(staff):
    form = client_for(staff["admin"]).get(URL, {"kind": "organisation"}).context["form"]
    assert {"uscc", "legal_representative", "registered_capital", "industry"} <= set(form.fields)
    assert not {"id_number", "gender", "birthday"} & set(form.fields)


def test_an_account_manager_places_a_customer_in_their_own_portfolio_only(staff, org):
    form = client_for(staff["account_manager"]).get(URL).context["form"]
    assert form.fields["branch"].choices == [(str(org["north"].pk), "北京分行")]
    assert form.fields["owner"].choices == [(str(staff["account_manager"].pk), "李经理")]
    assert form.initial["owner"] == str(staff["account_manager"].pk)


def test_an_administrator_chooses_owners_grouped_by_branch(staff, org):
    form = client_for(staff["admin"]).get(URL).context["form"]
    groups = dict(form.fields["owner"].choices[1:])
    assert str(staff["south_manager"].pk) in dict(groups["上海分行"])
    assert str(staff["account_manager"].pk) in dict(groups["北京分行"])


def test_creating_an_individual_opens_their_360_page(staff, person):
    response = client_for(staff["account_manager"]).post(URL, person)
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert (customer.name, customer.phone) == ("王二", "+8613912340000")
    assert customer.kind == "individual"


def test_creating_an_organisation_keeps_its_registration(staff, person):
    company = {
        **person,
        "kind": "organisation",
        "name": "星河科技有限公司",
        "uscc": "9111 0000 6000 3734 1l",
        "legal_representative": "赵六",
        "registered_capital": "5000000.00",
        "industry": "information",
    }
    client_for(staff["account_manager"]).post(URL, company)
    customer = Customer.objects.get()
    assert (customer.kind, customer.uscc) == ("organisation", USCC)
    assert customer.industry == "information"
    assert str(customer.registered_capital) == "5000000.00"


def test_a_bad_value_is_shown_on_its_field_and_nothing_is_created(staff, person):
    response = client_for(staff["admin"]).post(URL, {**person, "phone": "12345"})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert not Customer.objects.exists()


def test_a_customer_with_the_same_phone_is_warned_of_and_nothing_is_created(
    staff, person, make_customer
):
    existing = make_customer("王大", phone=person["phone"])
    response = client_for(staff["account_manager"]).post(URL, person)
    body = html(response)
    assert 'data-duplicates="warnings"' in body
    assert f'href="/customers/{existing.pk}/"' in body and "王大" in body
    assert 'id="confirm-create"' in body
    assert Customer.objects.count() == 1


def test_confirming_the_warning_creates_the_customer(staff, person, make_customer):
    make_customer("王大", phone=person["phone"])
    client = client_for(staff["account_manager"])
    key = client.post(URL, person).context["duplicates"].key
    response = client.post(URL, {**person, "confirm_duplicates": key})
    assert response.status_code == 302
    assert Customer.objects.filter(name="王二").exists()


def test_a_confirmation_holds_for_the_values_confirmed_only(staff, person, make_customer):
    make_customer("王大", phone=person["phone"], email="wang@example.com")
    client = client_for(staff["account_manager"])
    key = client.post(URL, person).context["duplicates"].key
    response = client.post(URL, {**person, "email": "wang@example.com", "confirm_duplicates": key})
    assert 'data-duplicates="warnings"' in html(response)
    assert not Customer.objects.filter(name="王二").exists()


def test_a_customer_out_of_scope_is_warned_of_without_saying_who(staff, org, person, make_customer):
    make_customer(
        "孙大", phone=person["phone"], branch_id=org["south"].pk, owner_id=staff["south_manager"].pk
    )
    body = html(client_for(staff["account_manager"]).post(URL, person))
    assert 'data-duplicate-hidden="phone"' in body
    assert "孙大" not in body
    assert "data-duplicate-of" not in body


def test_a_customer_with_the_same_id_number_is_refused_with_a_link(staff, person, make_customer):
    existing = make_customer("王大")
    response = client_for(staff["account_manager"]).post(
        URL, {**person, "id_number": existing.id_number}
    )
    body = html(response)
    assert 'data-duplicates="refused"' in body
    assert f'data-duplicate-of="{existing.pk}"' in body
    assert response.context["form"].errors["id_number"]
    assert 'id="confirm-create"' not in body
    assert Customer.objects.count() == 1


def test_a_refused_id_number_cannot_be_confirmed(staff, person, make_customer):
    existing = make_customer("王大", phone=person["phone"])
    client = client_for(staff["account_manager"])
    duplicate = {**person, "id_number": existing.id_number}
    key = client.post(URL, duplicate).context["duplicates"].key
    client.post(URL, {**duplicate, "confirm_duplicates": key})
    assert Customer.objects.count() == 1


def test_an_organisation_with_a_known_credit_code_is_refused(staff, person, make_customer):
    make_customer("星河科技有限公司", kind="organisation", uscc=USCC)
    company = {**person, "kind": "organisation", "name": "星河科技", "uscc": USCC}
    response = client_for(staff["branch_manager"]).post(URL, company)
    assert response.context["form"].errors["uscc"]
    assert Customer.objects.count() == 1


def test_the_duplicate_check_is_audited_as_an_identifying_search(staff, person, make_customer):
    existing = make_customer("王大", phone=person["phone"])
    client_for(staff["account_manager"]).post(URL, {**person, "id_number": resident_id()})
    entry = AuditEntry.objects.get(action=AuditAction.SEARCH)
    assert entry.fields == ["id_number", "phone"]
    assert entry.changes["phone"] == [None, "+8613912340000"]
    assert entry.object_id == str(existing.pk)


# --- the 360 page and edit form of an organisation --------------------------------------


@pytest.fixture
def company(make_customer):
    return make_customer(
        "星河科技有限公司",
        kind="organisation",
        uscc=USCC,
        legal_representative="赵六",
        industry="finance",
    )


def test_an_organisations_360_page_shows_its_registration_and_no_personal_fields(staff, company):
    response = client_for(staff["admin"]).get(reverse("customers:detail", args=[company.pk]))
    body = html(response)
    assert USCC in body and "赵六" in body
    for field in ("id_number", "gender", "birthday"):
        assert f'id="field-{field}"' not in body


def test_an_individuals_360_page_shows_no_organisation_fields(staff, make_customer):
    person = make_customer("张三")
    body = html(client_for(staff["admin"]).get(reverse("customers:detail", args=[person.pk])))
    for field in ("uscc", "legal_representative", "registered_capital", "industry"):
        assert f'id="field-{field}"' not in body
    assert 'id="field-gender"' in body


def test_an_organisations_edit_form_has_no_personal_fields(staff, company):
    form = (
        client_for(staff["admin"]).get(reverse("customers:edit", args=[company.pk])).context["form"]
    )
    assert not {"id_number", "gender", "birthday"} & set(form.fields)
    assert form.initial["uscc"] == USCC
    assert form.initial["industry"] == "finance"


def test_editing_an_organisations_registered_capital(staff, company):
    client = client_for(staff["admin"])
    url = reverse("customers:edit", args=[company.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    response = client.post(url, {**data, "registered_capital": "1200000.50"})
    assert response.status_code == 302
    company.refresh_from_db()
    assert str(company.registered_capital) == "1200000.50"
