"""Handing a colleague's portfolio over: everything moves, history and audit kept, all or
nothing, in a number of queries that does not grow with the portfolio."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from guanxi import policy
from guanxi.activities import services as activity_services
from guanxi.activities.inputs import ActivityFields
from guanxi.activities.models import Activity
from guanxi.audit.models import AuditEntry, AuditSubject
from guanxi.core.events.dispatch import dispatch_pending
from guanxi.core.events.models import EventRecord
from guanxi.customers.models import Customer
from guanxi.leads.models import Lead, LeadAssignment
from guanxi.org.handover import portfolio_hand_over, portfolio_handover_check
from guanxi.org.models import PortfolioHandover, Profile
from guanxi.org.portfolio import portfolio_counts
from guanxi.org.tests.conftest import CONTEXT
from guanxi.sales.models import Opportunity, OpportunityMember
from guanxi.scheduling.models import Reminder

pytestmark = pytest.mark.usefixtures("in_english")


def hand_over(staff, to_user_id, by="admin", reason="调岗", **kwargs):
    return portfolio_hand_over(
        viewer=policy.Viewer.of(staff[by]), from_user_id=staff["account_manager"].pk,
        to_user_id=to_user_id, reason=reason, context=CONTEXT, **kwargs,
    )  # fmt: skip


def snapshot(staff) -> dict:
    """What the account manager holds, and what the trail holds."""
    owner = staff["account_manager"].pk
    return {
        "counts": portfolio_counts([owner])[owner],
        "audit": AuditEntry.objects.count(),
        "history": LeadAssignment.objects.count(),
        "events": EventRecord.objects.count(),
        "handovers": PortfolioHandover.objects.count(),
    }


def test_every_kind_of_the_portfolio_goes_to_the_receiver(staff, receiver, make_portfolio):
    made = make_portfolio(2)
    handover = hand_over(staff, receiver.pk)
    assert handover.counts == {
        "customers": 2, "leads": 2, "opportunities": 2, "opportunity_teams": 2, "activities": 2,
    }  # fmt: skip
    owner = staff["account_manager"].pk
    assert set(Customer.objects.values_list("owner_id", flat=True)) == {receiver.pk}
    assert set(Lead.objects.values_list("owner_id", flat=True)) == {receiver.pk}
    assert set(Opportunity.objects.values_list("owner_id", flat=True)) == {receiver.pk}
    seats = OpportunityMember.objects.filter(opportunity__in=made["opportunities"])
    assert set(seats.values_list("user_id", flat=True)) == {receiver.pk, staff["team_lead"].pk}
    assert {t.owner_id for t in Activity.objects.filter(pk__in=[t.pk for t in made["tasks"]])} == {
        receiver.pk
    }
    assert portfolio_counts([owner])[owner] == dict.fromkeys(handover.counts, 0)


def test_finished_work_stays_with_who_did_it(staff, receiver, make_portfolio):
    made = make_portfolio(1)
    hand_over(staff, receiver.pk)
    assert Activity.objects.get(pk=made["done_call"].pk).owner_id == staff["account_manager"].pk


def test_moved_records_get_a_new_version(staff, receiver, make_portfolio):
    made = make_portfolio(1)
    hand_over(staff, receiver.pk)
    customer = made["customers"][0]
    assert Customer.objects.get(pk=customer.pk).version == customer.version + 1
    assert Lead.objects.get(pk=made["leads"][0].pk).version == made["leads"][0].version + 1


def test_the_lead_assignment_history_keeps_the_handover(staff, receiver, make_portfolio):
    made = make_portfolio(2)
    hand_over(staff, receiver.pk, reason="离职交接")
    last = LeadAssignment.objects.filter(lead=made["leads"][0]).order_by("-assigned_at", "-id")[0]
    assert (last.from_owner_id, last.to_owner_id) == (staff["account_manager"].pk, receiver.pk)
    assert (last.method, last.reason, last.assigned_by_id) == (
        "handover", "离职交接", staff["admin"].pk,
    )  # fmt: skip


def test_each_moved_record_has_its_audit_entry_and_the_customers_one_naming_them(
    staff, receiver, make_portfolio
):
    made = make_portfolio(2)
    handover = hand_over(staff, receiver.pk)
    change = [staff["account_manager"].pk, receiver.pk]
    summary = AuditEntry.objects.get(object_type="portfolio_handover", action="create")
    assert summary.changes["reason"] == [None, "调岗"] and summary.object_id == str(handover.pk)
    moved = AuditEntry.objects.get(object_type="portfolio_handover", action="update")
    assert moved.changes == {"owner_id": change} and moved.customer_count == 2
    named = AuditSubject.objects.filter(entry=moved).values_list("customer_id", flat=True)
    assert set(named) == {c.pk for c in made["customers"]}
    for kind, records in (("lead", made["leads"]), ("opportunity", made["opportunities"])):
        for r in records:
            entries = AuditEntry.objects.filter(object_type=kind, object_id=str(r.pk))
            assert (change, r.name) in [
                ((e.changes or {}).get("owner_id"), e.object_name) for e in entries
            ]
    task = made["tasks"][0]
    entry = AuditEntry.objects.filter(object_type="activity", object_id=str(task.pk)).first()
    assert entry.changes == {"owner_id": change} and entry.actor_id == staff["admin"].pk


def test_the_handover_writes_nothing_outside_its_callers_transaction(
    staff, receiver, make_portfolio
):
    make_portfolio(1)
    before = snapshot(staff)
    with pytest.raises(RuntimeError), transaction.atomic():
        hand_over(staff, receiver.pk)
        assert AuditEntry.objects.count() > before["audit"]  # written, then rolled back
        raise RuntimeError("the caller's transaction fails")
    assert snapshot(staff) == before


def test_a_handover_to_an_inactive_user_names_the_receiver_and_moves_nothing(
    staff, receiver, make_portfolio
):
    make_portfolio(1)
    receiver.is_active = False
    receiver.save()
    before = snapshot(staff)
    with pytest.raises(ValidationError) as refused:
        hand_over(staff, receiver.pk)
    assert list(refused.value.message_dict) == ["to_user_id"]
    assert snapshot(staff) == before


def test_a_receiver_of_another_branch_is_refused_and_nothing_moves(staff, make_portfolio):
    make_portfolio(1)
    before = snapshot(staff)
    with pytest.raises(ValidationError) as refused:
        hand_over(staff, staff["south_manager"].pk)
    assert "branch" in " ".join(refused.value.message_dict["to_user_id"])
    assert snapshot(staff) == before


def test_a_branch_manager_cannot_receive_customers(staff, make_portfolio):
    make_portfolio(1)
    with pytest.raises(ValidationError) as refused:
        hand_over(staff, staff["branch_manager"].pk)
    assert "to_user_id" in refused.value.message_dict


def test_a_kind_may_go_to_its_own_receiver(staff, receiver, make_portfolio):
    make_portfolio(1)
    hand_over(staff, receiver.pk, targets={"leads": staff["team_lead"].pk})
    assert set(Lead.objects.values_list("owner_id", flat=True)) == {staff["team_lead"].pk}
    assert set(Customer.objects.values_list("owner_id", flat=True)) == {receiver.pk}


def test_a_foreign_receiver_of_one_kind_names_that_kind(staff, receiver, make_portfolio):
    make_portfolio(1)
    with pytest.raises(ValidationError) as refused:
        hand_over(staff, receiver.pk, targets={"leads": staff["south_manager"].pk})
    assert list(refused.value.message_dict) == ["targets.leads"]


def test_a_receiver_with_a_seat_already_gets_the_share_added(staff, make_portfolio):
    made = make_portfolio(1)
    # The team lead is on the team with 40 %; receiving the account manager's seat (60 %)
    # leaves one seat of 100 %.
    hand_over(staff, staff["team_lead"].pk)
    seats = list(OpportunityMember.objects.filter(opportunity=made["opportunities"][0]))
    assert [(s.user_id, s.share) for s in seats] == [(staff["team_lead"].pk, 100)]


def test_a_team_lead_hands_over_within_the_team(staff, receiver, make_portfolio):
    make_portfolio(1)
    hand_over(staff, receiver.pk, by="team_lead")
    assert set(Customer.objects.values_list("owner_id", flat=True)) == {receiver.pk}


def test_an_open_task_about_a_lead_goes_with_the_portfolio(staff, receiver, make_portfolio):
    # Of the lead's branch and reached through the lead: a team lead may move it.
    made = make_portfolio(1)
    task = activity_services.activity_log(
        viewer=policy.Viewer.of(staff["account_manager"]),
        fields=ActivityFields(kind="task", lead_id=made["leads"][0].pk, subject="回电"),
        context=CONTEXT,
    )
    handover = hand_over(staff, receiver.pk, by="team_lead")
    assert handover.counts["activities"] == 2
    assert Activity.objects.get(pk=task.pk).owner_id == receiver.pk


def test_a_team_lead_cannot_hand_over_to_someone_outside_the_team(staff, make_portfolio):
    make_portfolio(1)
    before = snapshot(staff)
    with pytest.raises(ValidationError) as refused:
        hand_over(staff, staff["other_manager"].pk, by="team_lead")
    assert list(refused.value.message_dict) == ["to_user_id"]
    assert snapshot(staff) == before


def test_a_branch_manager_cannot_reach_a_colleague_of_another_branch(staff, make_portfolio):
    with pytest.raises(Profile.DoesNotExist):
        portfolio_hand_over(
            viewer=policy.Viewer.of(staff["branch_manager"]),
            from_user_id=staff["south_manager"].pk, to_user_id=staff["account_manager"].pk,
            reason="调岗", context=CONTEXT,
        )  # fmt: skip


def test_an_account_manager_may_not_hand_over(staff, receiver, make_portfolio):
    with pytest.raises(PermissionDenied):
        hand_over(staff, receiver.pk, by="account_manager")


def test_a_handover_needs_a_reason(staff, receiver, make_portfolio):
    make_portfolio(1)
    with pytest.raises(ValidationError) as refused:
        hand_over(staff, receiver.pk, reason="  ")
    assert list(refused.value.message_dict) == ["reason"]


def test_an_empty_portfolio_is_not_handed_over(staff, receiver):
    with pytest.raises(ValidationError) as refused:
        hand_over(staff, receiver.pk)
    assert list(refused.value.message_dict) == ["from_user"]


def test_the_check_previews_what_would_move_without_moving_it(staff, receiver, make_portfolio):
    make_portfolio(2)
    before = snapshot(staff)
    plan = portfolio_handover_check(
        viewer=policy.Viewer.of(staff["admin"]), from_user_id=staff["account_manager"].pk,
        to_user_id=receiver.pk,
    )  # fmt: skip
    assert plan["customers"] == {"count": 2, "to_user_id": receiver.pk}
    assert snapshot(staff) == before


def test_reminders_of_moved_meetings_follow_the_receiver(staff, receiver, make_portfolio):
    made = make_portfolio(1)
    dispatch_pending()
    task = made["tasks"][0]
    assert Reminder.objects.filter(activity=task, user=staff["account_manager"]).exists()
    hand_over(staff, receiver.pk)
    dispatch_pending()
    assert list(Reminder.objects.filter(activity=task).values_list("user_id", flat=True)) == [
        receiver.pk
    ]


def queries_of_a_handover(staff, receiver, make_portfolio, size, start) -> int:
    make_portfolio(size, start)
    with CaptureQueriesContext(connection) as queries:
        hand_over(staff, receiver.pk)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_portfolio(staff, receiver, make_portfolio):
    small = queries_of_a_handover(staff, receiver, make_portfolio, 2, 0)
    large = queries_of_a_handover(staff, receiver, make_portfolio, 7, 10)
    assert small == large
