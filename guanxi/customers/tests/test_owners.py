"""The bulk owner assignment: all or nothing, audited per customer, versions bumped."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import RequestContext
from guanxi.concurrency import VersionConflict
from guanxi.core.events.models import EventRecord
from guanxi.customers import owners, services
from guanxi.customers.inputs import CustomerFields
from guanxi.customers.models import Customer

CONTEXT = RequestContext(channel="test")


@pytest.fixture
def north(make_customer) -> list[Customer]:
    return [make_customer(f"北客户{n}") for n in range(3)]


@pytest.fixture
def south(make_customer, org, staff) -> Customer:
    return make_customer("南客户", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)


def state() -> list[tuple]:
    return list(Customer.objects.order_by("pk").values_list("pk", "owner_id", "version"))


def owner_entries() -> int:
    return AuditEntry.objects.filter(object_type="customer", fields=["owner_id"]).count()


def assign(staff, role: str, customers, owner: str) -> list[int]:
    return owners.customer_assign_owner(
        viewer=policy.Viewer.of(staff[role]),
        customer_ids=[c.pk for c in customers],
        owner_id=staff[owner].pk,
        context=CONTEXT,
    )


def test_a_branch_manager_gives_customers_of_their_branch_to_another_manager(staff, north):
    changed = assign(staff, "branch_manager", north, "other_manager")
    assert sorted(changed) == sorted(c.pk for c in north)
    for customer in north:
        fresh = Customer.objects.get(pk=customer.pk)
        assert fresh.owner_id == staff["other_manager"].pk
        assert fresh.version == customer.version + 1


def test_each_customer_changed_gets_an_audit_entry_with_the_old_and_new_owner(staff, north):
    assign(staff, "branch_manager", north, "other_manager")
    entries = AuditEntry.objects.filter(object_type="customer", fields=["owner_id"])
    assert sorted(int(e.object_id) for e in entries) == sorted(c.pk for c in north)
    old, new = staff["account_manager"].pk, staff["other_manager"].pk
    assert all(e.changes == {"owner_id": [old, new]} for e in entries)
    assert all(e.actor_id == staff["branch_manager"].pk for e in entries)


def test_each_customer_changed_publishes_customer_updated(staff, north):
    assign(staff, "branch_manager", north, "other_manager")
    events = EventRecord.objects.filter(name="customer.updated", payload__fields=["owner_id"])
    assert sorted(e.record_id for e in events) == sorted(c.pk for c in north)


def test_a_customer_the_owner_has_already_is_left_alone(staff, north):
    assert assign(staff, "admin", north, "account_manager") == []
    assert owner_entries() == 0
    assert [Customer.objects.get(pk=c.pk).version for c in north] == [c.version for c in north]


def test_a_batch_with_a_customer_out_of_scope_is_refused_and_changes_nothing(staff, north, south):
    before, entries, events = state(), owner_entries(), EventRecord.objects.count()
    with pytest.raises(ValidationError) as refused:
        assign(staff, "branch_manager", [*north, south], "other_manager")
    assert str(south.pk) in refused.value.message_dict["customer_ids"][0]
    assert state() == before
    assert owner_entries() == entries
    assert EventRecord.objects.count() == events


def test_an_owner_of_another_branch_is_refused_and_changes_nothing(staff, north):
    before = state()
    with pytest.raises(ValidationError) as refused:
        assign(staff, "admin", north, "south_manager")
    assert "owner_id" in refused.value.message_dict
    assert state() == before


def test_a_team_lead_cannot_give_customers_to_a_manager_outside_their_team(staff, north):
    before = state()
    with pytest.raises(ValidationError) as refused:
        assign(staff, "team_lead", north, "other_manager")
    assert "owner_id" in refused.value.message_dict
    assert state() == before


def test_an_account_manager_may_not_assign_owners(staff, north):
    before = state()
    with pytest.raises(PermissionDenied):
        assign(staff, "account_manager", north, "other_manager")
    assert state() == before


def test_an_owner_who_cannot_own_customers_is_refused(staff, north):
    with pytest.raises(ValidationError) as refused:
        assign(staff, "admin", north, "marketer")
    assert "owner_id" in refused.value.message_dict


def test_more_customers_than_the_limit_are_refused(staff, north, settings):
    settings.GUANXI_BULK_MAX_CUSTOMERS = 2
    before = state()
    with pytest.raises(ValidationError) as refused:
        assign(staff, "admin", north, "other_manager")
    assert "customer_ids" in refused.value.message_dict
    assert state() == before


def test_an_editor_holding_the_old_version_gets_a_conflict_after_the_new_owner(staff, north):
    customer = north[0]
    read_version = Customer.objects.get(pk=customer.pk).version
    assign(staff, "admin", [customer], "other_manager")
    with pytest.raises(VersionConflict):
        services.customer_update(
            viewer=policy.Viewer.of(staff["branch_manager"]),
            customer_id=customer.pk,
            changes=CustomerFields(occupation="教师"),
            expected_version=read_version,
            context=CONTEXT,
        )
    assert Customer.objects.get(pk=customer.pk).owner_id == staff["other_manager"].pk
