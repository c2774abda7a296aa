"""The demo cases (``guanxi demo-data --cases N``): every type, channel and priority, states
consistent with their times, deadlines from the working calendar after each case came in."""

import pytest
from django.db.models import F
from django.utils import timezone

from guanxi.service.case_models import OPEN_STATES, Case, CaseTransition, ServiceQueue
from guanxi.service.case_types import CaseChannel, CasePriority, CaseType
from guanxi.service.demo import load_demo_cases
from guanxi.service.models import SlaPolicy, WorkingCalendar

COUNT = 200


@pytest.fixture
def demo_cases(make_customer):
    for n, tier in enumerate(("platinum", "gold", "silver", "standard") * 5):
        make_customer(f"客户{n}", value_tier=tier, phone=f"1381234{n:04d}")
    assert load_demo_cases(COUNT, seed=7) == COUNT
    return Case.objects.all()


def test_every_type_channel_and_priority_is_there(demo_cases):
    assert set(demo_cases.values_list("case_type", flat=True)) == set(CaseType.values)
    assert set(demo_cases.values_list("channel", flat=True)) == set(CaseChannel.values)
    assert set(demo_cases.values_list("priority", flat=True)) == set(CasePriority.values)


def test_a_case_is_open_exactly_when_it_has_no_resolution_time(demo_cases):
    open_ = demo_cases.filter(state__in=OPEN_STATES)
    assert not open_.filter(resolved_at__isnull=False).exists()
    assert not demo_cases.exclude(state__in=OPEN_STATES).filter(resolved_at__isnull=True).exists()
    assert not demo_cases.filter(resolved_at__lt=F("created_at")).exists()
    assert not demo_cases.filter(resolved_at__gt=timezone.now()).exists()


def test_deadlines_come_after_the_case_was_received_and_the_warning_before(demo_cases):
    timed = demo_cases.filter(sla_policy__isnull=False)
    assert timed.count() == COUNT
    assert not timed.filter(first_response_due__lte=F("created_at")).exists()
    assert not timed.filter(resolution_due__lte=F("first_response_due")).exists()
    assert not timed.filter(resolution_warn_at__gte=F("resolution_due")).exists()
    assert not timed.filter(first_responded_at__lt=F("created_at")).exists()


def test_states_are_spread_as_a_desks_history(demo_cases):
    now = timezone.now()
    closed = demo_cases.filter(state="closed").count()
    assert closed > COUNT / 2
    assert demo_cases.filter(state__in=OPEN_STATES).exists()
    assert demo_cases.filter(state="waiting", paused_since__isnull=False).exists()
    assert demo_cases.filter(state__in=OPEN_STATES, resolution_due__lt=now).exists()
    assert not demo_cases.filter(state="new", owner__isnull=False).exists()


def test_a_resolved_complaint_names_its_root_cause(demo_cases):
    resolved = demo_cases.filter(case_type="complaint", resolved_at__isnull=False)
    assert resolved.exists()
    assert not resolved.filter(root_cause__isnull=True).exists()
    assert not resolved.filter(customer_confirmed=False).exists()


def test_each_case_keeps_its_first_and_last_move(demo_cases):
    assert CaseTransition.objects.filter(to_state="new").count() == COUNT
    moved = demo_cases.exclude(state="new").count()
    assert CaseTransition.objects.count() == COUNT + moved


def test_a_second_run_adds_cases_and_keeps_the_reference_data(demo_cases):
    policies, queues = SlaPolicy.objects.count(), ServiceQueue.objects.count()
    load_demo_cases(10, seed=8)
    assert Case.objects.count() == COUNT + 10
    assert (SlaPolicy.objects.count(), ServiceQueue.objects.count()) == (policies, queues)
    assert WorkingCalendar.objects.count() == 1
    assert len(set(Case.objects.values_list("number", flat=True))) == COUNT + 10
