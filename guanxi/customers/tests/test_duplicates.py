"""Duplicates: the page's look-up before saving, and the services' refusal of a second
customer with the same resident ID number or credit code."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi import policy
from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.audit.services import RequestContext
from guanxi.concurrency import DuplicateValue
from guanxi.conftest import resident_id
from guanxi.customers import duplicates, services
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import Customer
from guanxi.org.roles import Role
from guanxi.org.services import create_staff

CONTEXT = RequestContext(channel="test")
USCC = "91110000600037341L"


@pytest.fixture
def existing(make_customer) -> Customer:
    """王大, the account manager's, in the north branch."""
    return make_customer("王大", phone="13912340000", email="wang@example.com")


@pytest.fixture
def elsewhere(make_customer, org, staff) -> Customer:
    """孙大, in the south branch: out of the north account manager's scope."""
    return make_customer(
        "孙大", phone="13700001111", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk
    )


def viewer(staff, role: str) -> policy.Viewer:
    return policy.Viewer.of(staff[role])


def new(org, staff, **fields) -> CustomerFields:
    placed = {"branch_id": org["north"].pk, "owner_id": staff["account_manager"].pk}
    return CustomerFields.from_mapping({"name": "王二", **placed, **fields})


def create(staff, org, role="account_manager", **fields) -> Customer:
    return services.customer_create(
        viewer=viewer(staff, role), fields=new(org, staff, **fields), context=CONTEXT
    )


# --- the refusal ------------------------------------------------------------------------


def test_a_second_customer_with_the_same_id_number_is_refused_naming_the_field(
    staff, org, existing
):
    with pytest.raises(DuplicateValue) as refused:
        create(staff, org, id_number=existing.id_number)
    assert refused.value.field == "id_number"
    assert Customer.objects.count() == 1


def test_the_refusal_names_the_existing_customer_to_a_viewer_who_may_see_it(staff, org, existing):
    with pytest.raises(DuplicateValue) as refused:
        create(staff, org, id_number=existing.id_number)
    assert refused.value.existing_id == existing.pk


def test_the_refusal_does_not_name_a_customer_out_of_the_viewers_scope(staff, org, elsewhere):
    with pytest.raises(DuplicateValue) as refused:
        create(staff, org, id_number=elsewhere.id_number)
    assert refused.value.field == "id_number"
    assert refused.value.existing_id is None
    assert Customer.objects.count() == 1


def test_an_organisation_with_a_known_credit_code_is_refused(staff, org, make_customer):
    make_customer("星河科技有限公司", kind="organisation", uscc=USCC)
    with pytest.raises(DuplicateValue) as refused:
        create(staff, org, kind="organisation", uscc=USCC.lower())
    assert refused.value.field == "uscc"
    assert Customer.objects.count() == 1


def test_the_same_phone_and_email_are_no_refusal(staff, org, existing):
    create(staff, org, phone="139 1234 0000", email="WANG@example.com")
    assert Customer.objects.filter(phone=existing.phone).count() == 2


def test_changing_an_id_number_to_another_customers_is_refused(staff, existing, make_customer):
    other = make_customer("王二")
    with pytest.raises(DuplicateValue):
        services.customer_update(
            viewer=viewer(staff, "admin"),
            customer_id=other.pk,
            changes=CustomerFields(id_number=existing.id_number),
            expected_version=other.version,
            context=CONTEXT,
        )
    other.refresh_from_db()
    assert other.id_number != existing.id_number


def test_saving_a_customer_with_its_own_id_number_is_no_duplicate(staff, existing):
    services.customer_update(
        viewer=viewer(staff, "admin"),
        customer_id=existing.pk,
        changes=CustomerFields(id_number=existing.id_number, address="北京市朝阳区"),
        expected_version=existing.version,
        context=CONTEXT,
    )
    existing.refresh_from_db()
    assert existing.address == "北京市朝阳区"


@pytest.mark.django_db(transaction=True)
def test_two_creates_of_the_same_id_number_at_once_make_one_customer(staff, org, monkeypatch):
    number = resident_id()
    looked_up = duplicates._rows

    def slow_look_up(*args, **kwargs):
        found = looked_up(*args, **kwargs)
        time.sleep(0.3)  # both requests would find nobody, were they not one after the other
        return found

    monkeypatch.setattr(duplicates, "_rows", slow_look_up)
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def create_one(name: str) -> None:
        barrier.wait()
        try:
            create(staff, org, role="admin", name=name, id_number=number)
            outcomes.append("created")
        except DuplicateValue:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=create_one, args=(n,)) for n in ("王二", "王贰")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "refused"]
    assert Customer.objects.filter(id_number=number).count() == 1


@pytest.fixture
def manager_and_marketer(org):
    """An account manager who is also a marketer: may create, may not search by ID number."""
    return create_staff(
        "am_mk", "pw-not-used-here", [Role.ACCOUNT_MANAGER, Role.MARKETER], org["north"]
    )


def test_a_role_that_may_not_search_by_id_number_may_not_set_one_whether_or_not_it_exists(
    staff, org, existing, manager_and_marketer
):
    answers = []
    for number in (existing.id_number, resident_id()):
        with pytest.raises(ValidationError) as refused:
            services.customer_create(
                viewer=policy.Viewer.of(manager_and_marketer),
                fields=new(org, staff, owner_id=manager_and_marketer.pk, id_number=number),
                context=CONTEXT,
            )
        answers.append(refused.value.message_dict)
    assert answers[0] == answers[1]
    assert list(answers[0]) == ["id_number"]
    assert Customer.objects.count() == 1


# --- the look-up before saving ----------------------------------------------------------


def check(staff, org, role="account_manager", **fields) -> duplicates.Duplicates:
    return duplicates.customer_duplicates_for(
        viewer=viewer(staff, role), fields=new(org, staff, **fields), context=CONTEXT
    )


def test_a_customer_with_the_same_phone_is_a_warning_naming_them(staff, org, existing):
    found = check(staff, org, phone="+86 139 1234 0000")
    assert found.warnings == (duplicates.Match("phone", "+8613912340000", existing.pk, "王大"),)
    assert found.refused == ()


def test_a_customer_out_of_scope_is_a_match_without_id_or_name(staff, org, elsewhere):
    found = check(staff, org, phone="13700001111")
    assert found.matches == (duplicates.Match("phone", "+8613700001111"),)


def test_the_same_id_number_is_a_refusing_match(staff, org, existing):
    found = check(staff, org, id_number=existing.id_number.lower())
    assert [(m.field, m.customer_id) for m in found.refused] == [("id_number", existing.pk)]


def test_values_that_are_not_valid_are_not_looked_up(staff, org, existing):
    assert check(staff, org, phone="12345", email="nope").matches == ()


def test_the_look_up_is_one_query_of_the_customers(staff, org, existing, elsewhere):
    with CaptureQueriesContext(connection) as queries:
        check(staff, org, phone=existing.phone, email=existing.email, id_number=resident_id())
    sql = [q["sql"] for q in queries]
    reads = [q for q in sql if q.startswith("SELECT") and "customers_customer" in q]
    assert len(reads) == 1


def test_the_look_up_is_audited_with_the_values_checked(staff, org, existing):
    check(staff, org, email="Wang@Example.com")
    entry = AuditEntry.objects.get(action=AuditAction.SEARCH)
    assert entry.changes == {"email": [None, "wang@example.com"]}
    assert entry.object_id == str(existing.pk)


def test_a_confirmation_is_for_the_values_warned_of(staff, org, existing):
    found = check(staff, org, phone=existing.phone)
    other = check(staff, org, phone=existing.phone, email=existing.email)
    assert found.confirmed_by(found.key)
    assert not other.confirmed_by(found.key)


def test_nothing_to_warn_of_needs_no_confirmation(staff, org, existing):
    assert check(staff, org, phone="13600000000").confirmed_by("")
