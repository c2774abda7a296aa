"""The SLA sweep: warnings before the deadline, escalation on a breach to the team lead
and then the branch manager, found by queries on the stored deadlines."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.core.events.models import EventRecord
from guanxi.service import cases, sla_policies
from guanxi.service.case_models import Case
from guanxi.service.case_transitions import case_transition
from guanxi.service.sweep import cases_sweep
from guanxi.service.tests.conftest import CONTEXT

SHANGHAI = ZoneInfo("Asia/Shanghai")
RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday


@pytest.fixture
def open_case(admin_viewer, desk, make_customer):
    sla_policies.sla_policy_create(
        viewer=admin_viewer, case_type="inquiry", priority="normal", first_response_minutes=60,
        resolution_minutes=420, calendar_id=desk.pk, context=CONTEXT,
    )  # fmt: skip

    def make(name: str = "王芳") -> Case:
        return cases.case_create(
            viewer=admin_viewer, customer_id=make_customer(name).pk, case_type="inquiry",
            channel="hotline", priority="normal", subject="咨询", context=CONTEXT,
            received_at=RECEIVED,
        )  # fmt: skip

    return make


def test_a_case_in_the_last_fifth_of_its_target_is_warned_once(open_case):
    case = open_case()
    # 420 working minutes from 09:00: due 17:30; the last 84 minutes start at 16:06.
    at = datetime(2026, 11, 2, 16, 10, tzinfo=SHANGHAI)
    assert cases_sweep(now=at).warned == 1
    assert cases_sweep(now=at + timedelta(minutes=5)).warned == 0
    case.refresh_from_db()
    assert case.warned_at == at


def test_a_case_past_its_first_response_goes_to_the_team_lead(open_case, staff):
    case = open_case()
    cases_sweep(now=datetime(2026, 11, 2, 10, 30, tzinfo=SHANGHAI))
    case.refresh_from_db()
    # The customer's owner is in the north team, whose lead is staff["team_lead"].
    assert (case.escalation_level, case.escalated_to_id) == (1, staff["team_lead"].pk)


def test_a_case_still_breached_a_day_later_goes_to_the_branch_manager(open_case, staff):
    case = open_case()
    cases_sweep(now=datetime(2026, 11, 2, 18, 0, tzinfo=SHANGHAI))
    cases_sweep(now=datetime(2026, 11, 3, 18, 0, tzinfo=SHANGHAI))
    case.refresh_from_db()
    assert (case.escalation_level, case.escalated_to_id) == (2, staff["branch_manager"].pk)
    assert EventRecord.objects.filter(name="case.escalated").count() == 2


def test_a_case_waiting_on_the_customer_is_not_escalated(open_case, admin_viewer):
    case = open_case()
    for state in ("acknowledged", "waiting"):
        case = case_transition(
            viewer=admin_viewer, case_id=case.pk, state=state, expected_version=case.version,
            context=CONTEXT,
        )  # fmt: skip
    report = cases_sweep(now=datetime(2026, 11, 4, 18, 0, tzinfo=SHANGHAI))
    assert (report.warned, report.escalated) == (0, 0)


def test_the_sweep_changes_no_version(open_case):
    case = open_case()
    cases_sweep(now=datetime(2026, 11, 2, 18, 0, tzinfo=SHANGHAI))
    assert Case.objects.get(pk=case.pk).version == case.version


def test_a_sweep_with_nothing_due_costs_a_few_queries(open_case):
    for n in range(5):
        open_case(f"客户{n}")
    with CaptureQueriesContext(connection) as queries:
        cases_sweep(now=RECEIVED + timedelta(minutes=1))
    assert len(queries) <= 4
