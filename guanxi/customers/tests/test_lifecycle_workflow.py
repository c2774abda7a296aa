"""The lifecycle workflow: one table of moves that the service enforces and the page offers."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.audit.services import RequestContext
from guanxi.customers import lifecycle, services
from guanxi.customers.models import Customer, LifecycleChange, LifecycleStatus
from guanxi.web.tests.support import client_for

CONTEXT = RequestContext(channel="test")
MOVES = [(a, b) for a in LifecycleStatus.values for b in LifecycleStatus.values if a != b]


def test_every_status_has_somewhere_to_go_and_a_badge_colour():
    for status in LifecycleStatus.values:
        assert lifecycle.next_statuses(status), status
        assert status in lifecycle.TONES


def test_every_status_can_be_reached_from_a_prospect():
    reached, frontier = {LifecycleStatus.PROSPECT.value}, [LifecycleStatus.PROSPECT.value]
    while frontier:
        for following in lifecycle.next_statuses(frontier.pop()):
            if following not in reached:
                reached.add(following)
                frontier.append(following)
    assert reached == set(LifecycleStatus.values)


@pytest.mark.parametrize(("from_status", "to_status"), MOVES)
def test_the_service_allows_exactly_the_moves_of_the_table(
    staff, make_customer, from_status, to_status
):
    customer = make_customer()
    Customer.objects.filter(pk=customer.pk).update(status=from_status)
    admin = policy.Viewer.of(staff["admin"])
    move = dict(viewer=admin, customer_id=customer.pk, to_status=to_status, reason="客户状态调整")
    if lifecycle.may_move(from_status, to_status):
        services.customer_change_lifecycle(
            **move, expected_version=customer.version, context=CONTEXT
        )
        assert Customer.objects.get(pk=customer.pk).status == to_status
        return
    before = (LifecycleChange.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.customer_change_lifecycle(
            **move, expected_version=customer.version, context=CONTEXT
        )
    assert "status" in refused.value.message_dict
    assert Customer.objects.get(pk=customer.pk).status == from_status
    assert (LifecycleChange.objects.count(), AuditEntry.objects.count()) == before


def test_the_lifecycle_page_offers_only_the_allowed_moves(staff, make_customer):
    customer = make_customer()  # a prospect
    page = client_for(staff["account_manager"]).get(
        reverse("customers:lifecycle", args=[customer.pk])
    )
    offered = [value for value, _label in page.context["form"].fields["status"].choices if value]
    assert offered == [
        s for s in LifecycleStatus.values if s in lifecycle.next_statuses(customer.status)
    ]


def test_the_status_badge_is_coloured_by_what_the_status_means(staff, make_customer):
    customer = make_customer()
    Customer.objects.filter(pk=customer.pk).update(status=LifecycleStatus.LOST)
    page = client_for(staff["account_manager"]).get(reverse("customers:detail", args=[customer.pk]))
    assert 'class="badge bg-red-lt ms-2" id="customer-status"' in page.content.decode()


def test_the_creation_reason_is_shown_in_the_viewers_language(make_customer, staff):
    from django.utils import translation

    from guanxi import policy
    from guanxi.audit.services import RequestContext
    from guanxi.customers.selectors import customer_360_for_user

    with translation.override("zh-hans"):
        customer = make_customer("张三")  # created from a Chinese session
    viewer = policy.Viewer.of(staff["account_manager"])
    with translation.override("en"):
        card = customer_360_for_user(
            viewer=viewer, customer_id=customer.pk, context=RequestContext()
        )
    assert [c["reason"] for c in card["lifecycle"]] == ["Created"]
    with translation.override("zh-hans"):
        card = customer_360_for_user(
            viewer=viewer, customer_id=customer.pk, context=RequestContext()
        )
    assert [c["reason"] for c in card["lifecycle"]] == ["新建客户"]
    assert {e.detail for e in card["timeline"] if e.kind == "lifecycle"} == {"新建客户"}


def test_a_reason_someone_wrote_is_shown_as_written():
    from guanxi.customers.lifecycle import shown_reason

    assert shown_reason("prospect", "Created") == "Created"
    assert shown_reason("", "客户主动联系") == "客户主动联系"
