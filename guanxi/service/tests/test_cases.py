"""Cases through one desk: the workflow table, the complaint rules, the SLA clock on the
desk's calendar (fixed clocks), the queue's order and history."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from guanxi import policy
from guanxi.concurrency import VersionConflict
from guanxi.service import case_reference, cases, sla_policies, workflow
from guanxi.service.case_models import Case, CaseAssignment, CaseTransition, ServiceQueue
from guanxi.service.case_transitions import case_transition
from guanxi.service.tests.conftest import CONTEXT

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*parts: int) -> datetime:
    """A Shanghai wall-clock moment."""
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.fixture
def clock(monkeypatch):
    """A settable now (Shanghai time), 2026-09-30 16:00 to start with."""
    now = [at(2026, 9, 30, 16, 0)]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    return now


@pytest.fixture
def complaint_policy(admin_viewer, desk):
    """Complaints of normal priority: first response in 4 working hours, resolution in 40."""
    return sla_policies.sla_policy_create(
        viewer=admin_viewer, case_type="complaint", priority="normal", first_response_minutes=240,
        resolution_minutes=2400, calendar_id=desk.pk, context=CONTEXT,
    )  # fmt: skip


@pytest.fixture
def root_cause(admin_viewer):
    return case_reference.root_cause_create(
        viewer=admin_viewer, code="FEE", name="收费不透明", name_en="Unclear fees", context=CONTEXT
    )


@pytest.fixture
def customer(make_customer):
    return make_customer("王芳")


@pytest.fixture
def open_case(admin_viewer, customer, complaint_policy, clock):
    def make(case_type: str = "complaint", who=None, **extra) -> Case:
        return cases.case_create(
            viewer=who or admin_viewer, customer_id=extra.pop("customer_id", customer.pk),
            case_type=case_type, channel="hotline", priority="normal", subject="理财赎回手续费",
            context=CONTEXT, **extra,
        )  # fmt: skip

    return make


def move(viewer, case: Case, state: str, **extra) -> Case:
    case.refresh_from_db()
    return case_transition(
        viewer=viewer, case_id=case.pk, state=state, expected_version=case.version,
        context=CONTEXT, **extra,
    )  # fmt: skip


def snapshot(case: Case) -> tuple:
    row = Case.objects.values().get(pk=case.pk)
    return row, CaseTransition.objects.filter(case=case).count()


def test_a_complaint_received_before_national_day_is_due_after_the_holiday(open_case):
    case = open_case()
    # 90 minutes on 30 September, then nothing until 8 October (holiday 1–7 October).
    assert case.first_response_due == at(2026, 10, 8, 11, 30)
    # 40 working hours: 8, 9, 10 (a make-up Saturday), 12, 13 October, and 14 October to 14:00.
    assert case.resolution_due == at(2026, 10, 14, 14, 0)


def test_a_case_gets_a_readable_unique_number(open_case):
    first, second = open_case(), open_case()
    assert first.number.startswith("CS20260930") and first.number != second.number


def test_the_first_move_out_of_new_is_the_first_response(open_case, admin_viewer, clock):
    case = open_case()
    clock[0] = at(2026, 10, 8, 9, 15)
    moved = move(admin_viewer, case, "acknowledged", promised_reply_at=at(2026, 10, 9, 10))
    assert moved.first_responded_at == at(2026, 10, 8, 9, 15)


def test_a_move_the_table_does_not_allow_is_refused_and_changes_nothing(open_case, admin_viewer):
    case = open_case()
    before = snapshot(case)
    with pytest.raises(ValidationError) as refused:
        move(admin_viewer, case, "resolved")
    assert "state" in refused.value.message_dict
    assert snapshot(case) == before


def test_every_state_reaches_closed_through_the_table():
    reachable, frontier = {"new"}, ["new"]
    while frontier:
        for nxt in workflow.next_states(frontier.pop()):
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(workflow.MOVES)


def test_acknowledging_a_complaint_needs_a_promised_reply_time(open_case, admin_viewer):
    case = open_case()
    before = snapshot(case)
    with pytest.raises(ValidationError) as refused:
        move(admin_viewer, case, "acknowledged")
    assert "promised_reply_at" in refused.value.message_dict
    assert snapshot(case) == before


def test_an_inquiry_is_acknowledged_without_a_promise(open_case, admin_viewer):
    case = open_case("inquiry")
    assert move(admin_viewer, case, "acknowledged").state == "acknowledged"


def test_a_complaint_solved_on_the_spot_closes_at_once_with_its_note(open_case, admin_viewer):
    case = open_case()
    closed = move(admin_viewer, case, "closed", on_the_spot=True, note="当场退费")
    assert (closed.state, closed.on_the_spot) == ("closed", True)
    assert CaseTransition.objects.filter(case=case, to_state="closed").get().note == "当场退费"


def test_closing_a_new_case_without_the_on_the_spot_flag_is_refused(open_case, admin_viewer):
    case = open_case()
    before = snapshot(case)
    with pytest.raises(ValidationError) as refused:
        move(admin_viewer, case, "closed", note="已处理")
    assert "on_the_spot" in refused.value.message_dict
    assert snapshot(case) == before


def _in_progress(case: Case, viewer) -> Case:
    move(viewer, case, "acknowledged", promised_reply_at=at(2026, 10, 9, 10))
    return move(viewer, case, "in_progress")


def test_resolving_a_complaint_without_a_root_cause_is_refused(open_case, admin_viewer, clock):
    case = _in_progress(open_case(), admin_viewer)
    before = snapshot(case)
    with pytest.raises(ValidationError) as refused:
        move(admin_viewer, case, "resolved", customer_confirmed=True)
    assert "root_cause_id" in refused.value.message_dict
    assert snapshot(case) == before


def test_resolving_a_complaint_needs_the_customer_or_an_attempt_to_reach_them(
    open_case, admin_viewer, root_cause
):
    case = _in_progress(open_case(), admin_viewer)
    before = snapshot(case)
    with pytest.raises(ValidationError) as refused:
        move(admin_viewer, case, "resolved", root_cause_id=root_cause.pk)
    assert "customer_confirmed" in refused.value.message_dict
    assert snapshot(case) == before


def test_a_recorded_attempt_to_reach_the_customer_lets_a_complaint_resolve(
    open_case, admin_viewer, root_cause, clock
):
    case = _in_progress(open_case(), admin_viewer)
    resolved = move(
        admin_viewer, case, "resolved", root_cause_id=root_cause.pk, contact_attempted=True
    )
    assert resolved.contact_attempted_at == clock[0] and resolved.root_cause_id == root_cause.pk


def test_resolving_records_what_the_complaint_cost(open_case, admin_viewer, root_cause):
    case = _in_progress(open_case(), admin_viewer)
    resolved = move(
        admin_viewer, case, "resolved", root_cause_id=root_cause.pk, customer_confirmed=True,
        compensation=Decimal("120.5"),
    )  # fmt: skip
    assert Case.objects.get(pk=resolved.pk).compensation == Decimal("120.50")


@pytest.mark.parametrize("amount", ["-1", "1000000000000", "NaN"])
def test_a_compensation_out_of_range_is_refused_and_changes_nothing(
    open_case, admin_viewer, root_cause, amount
):
    case = _in_progress(open_case(), admin_viewer)
    before = snapshot(case)
    with pytest.raises(ValidationError) as refused:
        move(admin_viewer, case, "resolved", root_cause_id=root_cause.pk,
             customer_confirmed=True, compensation=Decimal(amount))  # fmt: skip
    assert "compensation" in refused.value.message_dict
    assert snapshot(case) == before


def test_compensation_is_recorded_only_when_resolving(open_case, admin_viewer):
    case = open_case()
    with pytest.raises(ValidationError) as refused:
        move(admin_viewer, case, "acknowledged", promised_reply_at=at(2026, 10, 9, 10),
             compensation=Decimal("10"))  # fmt: skip
    assert "compensation" in refused.value.message_dict


def test_waiting_on_the_customer_moves_the_deadline_by_the_working_time_paused(
    open_case, admin_viewer, clock
):
    case = _in_progress(open_case(), admin_viewer)
    clock[0] = at(2026, 10, 12, 10, 0)
    move(admin_viewer, case, "waiting")
    clock[0] = at(2026, 10, 13, 10, 0)  # one working day later (7 working hours)
    resumed = move(admin_viewer, case, "in_progress")
    assert resumed.paused_total == timedelta(hours=7)
    assert resumed.resolution_due == at(2026, 10, 15, 14, 0)  # a working day after 14 Oct


def test_going_straight_from_waiting_to_resolved_keeps_the_paused_time(
    open_case, admin_viewer, root_cause, clock
):
    case = _in_progress(open_case(), admin_viewer)
    clock[0] = at(2026, 10, 12, 16, 30)
    move(admin_viewer, case, "waiting")
    clock[0] = at(2026, 10, 13, 9, 30)  # 60 + 30 working minutes
    resolved = move(
        admin_viewer, case, "resolved", root_cause_id=root_cause.pk, customer_confirmed=True
    )
    assert resolved.paused_total == timedelta(minutes=90)
    assert resolved.paused_since is None and resolved.resolved_at == clock[0]


def test_a_stale_version_moves_nothing(open_case, admin_viewer):
    case = open_case("inquiry")
    before = snapshot(case)
    with pytest.raises(VersionConflict):
        case_transition(
            viewer=admin_viewer, case_id=case.pk, state="acknowledged",
            expected_version=case.version + 5, context=CONTEXT,
        )  # fmt: skip
    assert snapshot(case) == before


def test_reopening_a_closed_case_takes_it_back_to_work(open_case, admin_viewer):
    case = open_case()
    move(admin_viewer, case, "closed", on_the_spot=True, note="当场解释")
    reopened = move(admin_viewer, case, "in_progress", note="客户再次来电")
    assert (reopened.state, reopened.resolved_at) == ("in_progress", None)


def test_a_complaint_goes_to_the_department_that_owns_complaints(open_case):
    compliance = ServiceQueue.objects.create(name="合规部", kind="compliance")
    assert open_case().queue_id == compliance.pk


def test_a_category_sends_its_cases_to_its_queue(open_case, admin_viewer):
    settlement = ServiceQueue.objects.create(name="清算部", kind="settlement")
    category = case_reference.case_category_create(
        viewer=admin_viewer, code="TRANSFER", name="银证转账", default_queue_id=settlement.pk,
        context=CONTEXT,
    )  # fmt: skip
    assert open_case("internal_request", category_id=category.pk).queue_id == settlement.pk


def test_a_transfer_between_departments_is_kept_as_history(open_case, admin_viewer):
    research = ServiceQueue.objects.create(name="研究所", kind="research")
    technology = ServiceQueue.objects.create(name="信息技术部", kind="technology")
    case = open_case("internal_request", queue_id=research.pk)
    cases.case_assign(
        viewer=admin_viewer, case_id=case.pk, queue_id=technology.pk, reason="行情系统问题",
        expected_version=case.version, context=CONTEXT,
    )  # fmt: skip
    moves = CaseAssignment.objects.filter(case=case).order_by("pk")
    assert [(m.from_queue_id, m.to_queue_id) for m in moves] == [
        (None, research.pk),
        (research.pk, technology.pk),
    ]


def test_an_unknown_category_is_refused_and_nothing_is_created(open_case):
    with pytest.raises(ValidationError) as refused:
        open_case(category_id=999999)
    assert "category_id" in refused.value.message_dict
    assert not Case.objects.exists()


def test_a_case_for_a_customer_out_of_scope_is_refused(open_case, make_customer, org, staff):
    other = make_customer("周强", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)
    manager = policy.Viewer.of(staff["account_manager"])
    with pytest.raises(ValidationError) as refused:
        open_case(customer_id=other.pk, who=manager)
    assert "customer_id" in refused.value.message_dict


def test_a_promise_given_on_an_inquiry_is_kept(open_case, admin_viewer):
    case = open_case("inquiry")
    moved = move(admin_viewer, case, "acknowledged", promised_reply_at=at(2026, 10, 9, 10))
    assert moved.promised_reply_at == at(2026, 10, 9, 10)


def test_a_case_whose_policy_went_away_while_waiting_resumes_without_a_clock(
    open_case, admin_viewer, complaint_policy
):
    case = _in_progress(open_case(), admin_viewer)
    move(admin_viewer, case, "waiting")
    complaint_policy.delete()
    resumed = move(admin_viewer, case, "in_progress")
    assert (resumed.paused_since, resumed.sla_policy_id) == (None, None)
