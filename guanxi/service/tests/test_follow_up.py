"""Closing a complaint schedules a follow-up of the customer's reaction: a task for the
account manager (else the case's agent), due working days later on the case's calendar,
once per closing however often the event is handled, on that person's my day."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from guanxi import policy
from guanxi.activities.models import Activity
from guanxi.core.events.dispatch import dispatch_pending
from guanxi.core.events.models import EventRecord
from guanxi.core.events.subscriptions import HANDLERS, Delivered
from guanxi.core.events.types import event_type
from guanxi.service import case_transitions, cases, sla_policies
from guanxi.service.case_models import Case
from guanxi.service.tests.conftest import CONTEXT

SHANGHAI = ZoneInfo("Asia/Shanghai")
MY_DAY = "/api/v1/my-day"


@pytest.fixture
def clock(monkeypatch):
    now = [datetime(2026, 9, 30, 14, 0, tzinfo=SHANGHAI)]  # the afternoon before National Day
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    return now


@pytest.fixture
def complaint(admin_viewer, desk, make_customer, clock):
    sla_policies.sla_policy_create(
        viewer=admin_viewer, case_type="complaint", priority="normal", value_tier="",
        first_response_minutes=240, resolution_minutes=2400, calendar_id=desk.pk,
        context=CONTEXT,
    )  # fmt: skip

    def make(agent_id: int | None = None, **customer) -> Case:
        person = make_customer("王芳", **customer)
        return cases.case_create(
            viewer=admin_viewer, customer_id=person.pk, case_type="complaint",
            channel="branch", priority="normal", subject="理财到期未兑付", context=CONTEXT,
            owner_id=agent_id,
        )  # fmt: skip

    return make


def close_on_the_spot(viewer: policy.Viewer, case: Case) -> Case:
    return case_transitions.case_transition(
        viewer=viewer, case_id=case.pk, state="closed", expected_version=case.version,
        context=CONTEXT, on_the_spot=True, note="当场解释兑付时间，客户满意",
    )  # fmt: skip


def follow_ups(case: Case) -> list[Activity]:
    return list(Activity.objects.filter(customer_id=case.customer_id, kind="task"))


def test_closing_a_complaint_gives_its_account_manager_a_follow_up_task(
    complaint, admin_viewer, staff
):
    case = complaint()
    close_on_the_spot(admin_viewer, case)
    dispatch_pending()
    [task] = follow_ups(case)
    assert task.owner_id == staff["account_manager"].pk
    assert task.status == "open"
    assert case.number in task.subject
    case.refresh_from_db()
    assert case.follow_up_activity_id == task.pk


def test_the_follow_up_is_due_three_working_days_later_on_the_cases_calendar(
    complaint, admin_viewer
):
    case = complaint()
    close_on_the_spot(admin_viewer, case)  # Wednesday 30 September, 14:00
    dispatch_pending()
    # 1–7 October are the National Day holiday; 8, 9 and the make-up Saturday 10 work.
    assert follow_ups(case)[0].due_on == date(2026, 10, 10)


def test_a_follow_up_is_scheduled_once_however_often_the_event_is_handled(complaint, admin_viewer):
    case = complaint()
    close_on_the_spot(admin_viewer, case)
    dispatch_pending()
    record = EventRecord.objects.filter(name="case.state_changed", record_id=case.pk).latest("pk")
    again = Delivered(
        id=record.pk, name=record.name, record_type=record.record_type,
        record_id=record.record_id, actor_id=record.actor_id, occurred_at=record.occurred_at,
        event=event_type(record.name).model_validate(record.payload),
    )  # fmt: skip
    subscription = HANDLERS.get("service.complaint_follow_up")
    assert subscription is not None
    subscription.func(again)
    assert len(follow_ups(case)) == 1


def test_a_customer_without_an_account_manager_leaves_it_to_the_cases_agent(
    complaint, admin_viewer, staff
):
    case = complaint(owner_id=None, agent_id=staff["branch_manager"].pk)
    close_on_the_spot(admin_viewer, case)
    dispatch_pending()
    assert [t.owner_id for t in follow_ups(case)] == [staff["branch_manager"].pk]


def test_closing_an_inquiry_schedules_nothing(admin_viewer, desk, make_customer, clock):
    person = make_customer()
    case = cases.case_create(
        viewer=admin_viewer, customer_id=person.pk, case_type="inquiry", channel="hotline",
        priority="normal", subject="询问网点地址", context=CONTEXT,
    )  # fmt: skip
    for state in ("acknowledged", "resolved", "closed"):
        case = case_transitions.case_transition(
            viewer=admin_viewer, case_id=case.pk, state=state, expected_version=case.version,
            context=CONTEXT,
        )  # fmt: skip
    dispatch_pending()
    assert follow_ups(case) == []


def test_the_follow_up_is_on_the_account_managers_my_day_when_due(
    complaint, admin_viewer, api_as, clock
):
    case = complaint()
    close_on_the_spot(admin_viewer, case)
    dispatch_pending()
    task = follow_ups(case)[0]
    clock[0] = datetime.combine(date(2026, 10, 10), time(9), tzinfo=SHANGHAI)
    day = api_as("account_manager").get(MY_DAY).json()
    assert task.pk in [line["id"] for line in day["agenda"]]
    assert task.pk not in [line["id"] for line in api_as("team_lead").get(MY_DAY).json()["agenda"]]


def test_a_working_day_after_skips_holidays_and_counts_make_up_days(desk):
    from guanxi.service.loader import working_time_for

    engine = working_time_for(desk)
    assert engine.working_day_after(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert engine.working_day_after(date(2026, 10, 9), 1) == date(2026, 10, 10)  # make-up
    assert engine.working_day_after(date(2026, 10, 10), 1) == date(2026, 10, 12)
