"""The desk's analyses: the root-cause Pareto by frequency and cost, repeat complaints,
recurrence after a corrective action, resolution times by group, common needs by month —
each over the cases the viewer may read — and their API's refusals."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.service import case_analysis, case_reference
from guanxi.service.case_models import (
    Case,
    CaseAssignment,
    CaseCategory,
    CorrectiveAction,
    RootCause,
    ServiceQueue,
)
from guanxi.service.tests.conftest import CONTEXT

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/case-analysis"
YEAR = {"start": date(2026, 1, 1), "end": date(2027, 1, 1)}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


MARCH = at(2026, 3, 2, 10)


@pytest.fixture
def causes() -> dict[str, RootCause]:
    return {
        code: RootCause.objects.create(code=code, name=name, name_en=english)
        for code, name, english in (
            ("system", "系统故障", "System fault"),
            ("staff", "员工失误", "Staff error"),
            ("policy", "政策规定", "Policy"),
        )
    }


@pytest.fixture
def case_of(make_customer):
    """Write a case as generated history (the analyses read what is stored)."""
    made = iter(range(1, 10_000))
    default_customer = []

    def make(*, cause: RootCause | None = None, received: datetime = MARCH,
             took: timedelta | None = timedelta(hours=5), case_type: str = "complaint",
             customer=None, compensation: str = "0", due: timedelta = timedelta(hours=8),
             **fields) -> Case:  # fmt: skip
        if customer is None:
            if not default_customer:
                default_customer.append(make_customer("王芳"))
            customer = default_customer[0]
        n = next(made)
        return Case.objects.create(
            number=f"T{n:06d}", case_type=case_type, channel="hotline", priority="normal",
            customer=customer, branch_id=customer.branch_id, subject="转账失败",
            created_at=received, state="closed" if took is not None else "in_progress",
            resolved_at=received + took if took is not None else None,
            resolution_due=received + due, root_cause=cause,
            compensation=Decimal(compensation), **fields,
        )  # fmt: skip

    return make


@pytest.fixture
def admin(staff) -> policy.Viewer:
    return policy.Viewer.of(staff["admin"])


def test_the_pareto_orders_causes_by_frequency_with_cumulative_share_and_cost(
    case_of, causes, admin
):
    for _ in range(3):
        case_of(cause=causes["system"], compensation="10")
    case_of(cause=causes["staff"], compensation="500")
    rows = case_analysis.root_cause_pareto(viewer=admin, **YEAR)
    assert [(r.label, r.complaints, r.cost) for r in rows] == [
        ("系统故障", 3, Decimal("30.00")),
        ("员工失误", 1, Decimal("500.00")),
    ]
    assert [r.cumulative for r in rows] == [0.75, 1.0]
    assert rows[1].cost_share == pytest.approx(500 / 530)


def test_the_pareto_counts_only_complaints_resolved_within_the_period(case_of, causes, admin):
    case_of(cause=causes["system"], received=at(2025, 12, 31, 9), took=timedelta(hours=2))
    case_of(cause=causes["system"], received=at(2026, 12, 31, 20), took=timedelta(hours=5))
    case_of(cause=causes["staff"])
    case_of(cause=None)  # no root cause: not the Pareto's
    rows = case_analysis.root_cause_pareto(viewer=admin, **YEAR)
    assert [(r.label, r.complaints) for r in rows] == [("员工失误", 1)]


def test_the_pareto_counts_only_cases_the_viewer_may_read(
    case_of, causes, make_customer, staff, org
):
    south = make_customer("南方客户", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)
    case_of(cause=causes["system"], customer=south)
    case_of(cause=causes["staff"])
    rows = case_analysis.root_cause_pareto(viewer=policy.Viewer.of(staff["branch_manager"]), **YEAR)
    assert [r.label for r in rows] == ["员工失误"]


def test_an_account_manager_may_not_read_the_desks_analyses(api_as, case_of, causes):
    case_of(cause=causes["system"])
    response = api_as("account_manager").get(f"{URL}/pareto")
    assert response.status_code == 403


def test_repeat_complaints_list_customers_with_two_complaints_or_more(
    case_of, make_customer, admin
):
    again = make_customer("李强")
    case_of(customer=again)
    case_of(customer=again, received=at(2026, 5, 1, 10))
    case_of(customer=make_customer("周敏"))
    case_of(customer=again, case_type="inquiry")  # not a complaint
    rows = case_analysis.repeat_complaints(viewer=admin, by="customer", **YEAR)
    assert [(r.label, r.complaints) for r in rows] == [("李强", 2)]


def test_recurrence_counts_the_causes_complaints_before_and_after_the_action(
    case_of, causes, admin
):
    case_reference.corrective_action_create(
        viewer=admin, root_cause_id=causes["system"].pk, taken_on=date(2026, 6, 1),
        description="升级转账系统", context=CONTEXT,
    )  # fmt: skip
    for day in (5, 10, 20):
        case_of(cause=causes["system"], received=at(2026, 5, day, 10))
    case_of(cause=causes["system"], received=at(2026, 6, 15, 10))
    case_of(cause=causes["staff"], received=at(2026, 6, 16, 10))
    [row] = case_analysis.recurrence_after_actions(viewer=admin)
    assert (row.before, row.after, row.change) == (3, 1, pytest.approx(-2 / 3))


def test_resolution_times_by_category_give_mean_hours_and_the_share_within_target(
    case_of, causes, admin
):
    cards = CaseCategory.objects.create(code="cards", name="信用卡", name_en="Cards")
    case_of(category=cards, took=timedelta(hours=4))
    case_of(category=cards, took=timedelta(hours=10))  # past its 8-hour deadline
    case_of(took=None, category=cards)  # still open: not resolved in the period
    [row] = case_analysis.resolution_times(viewer=admin, by="category", **YEAR)
    assert (row.label, row.cases, row.mean_hours, row.within_target) == ("信用卡", 2, 7.0, 0.5)


@pytest.mark.parametrize("by", case_analysis.BY)
def test_resolution_times_group_by_every_dimension_through_the_api(by, api_as, case_of):
    case_of(took=timedelta(hours=3))
    response = api_as("admin").get(f"{URL}/resolution-times", {"by": by, **YEAR})
    assert response.status_code == 200
    assert [row["cases"] for row in response.json()] == [1]


def test_each_department_holds_a_case_from_its_transfer_in_until_it_passes_it_on(case_of, admin):
    desk = ServiceQueue.objects.create(name="客服中心", kind="service_desk")
    settlement = ServiceQueue.objects.create(name="清算部", kind="settlement")
    received = at(2026, 3, 2, 9)
    case = case_of(received=received, took=timedelta(hours=10))
    for hours, queue in ((0, desk), (2, settlement), (3, settlement), (8, desk)):
        CaseAssignment.objects.create(case=case, to_queue=queue,
                                      at=received + timedelta(hours=hours))  # fmt: skip
    rows = {r.department: r for r in case_analysis.department_times(viewer=admin, **YEAR)}
    assert (rows["settlement"].handled, rows["settlement"].mean_hours) == (1, 6.0)
    assert (rows["service_desk"].handled, rows["service_desk"].mean_hours) == (2, 2.0)
    assert rows["service_desk"].holding == 0


def test_a_department_still_holding_an_open_case_counts_it_as_holding(case_of, admin):
    risk = ServiceQueue.objects.create(name="风控部", kind="risk")
    case = case_of(took=None)
    CaseAssignment.objects.create(case=case, to_queue=risk, at=MARCH)
    [row] = case_analysis.department_times(viewer=admin, **YEAR)
    assert (row.department, row.handled, row.holding) == ("risk", 1, 1)


def test_common_needs_count_cases_by_month_and_top_level_category(case_of, admin):
    cards = CaseCategory.objects.create(code="cards", name="信用卡")
    fees = CaseCategory.objects.create(code="fees", name="年费", parent=cards)
    case_of(category=fees, received=at(2026, 3, 2, 10))
    case_of(category=cards, received=at(2026, 3, 20, 10))
    case_of(category=fees, received=at(2026, 4, 2, 10))
    found = case_analysis.needs_by_month(viewer=admin, **YEAR)
    assert found.months == [date(2026, 3, 1), date(2026, 4, 1)]
    assert found.series == [("信用卡", [2, 1])]


def test_a_period_that_ends_before_it_starts_is_refused_naming_the_end(api_as, case_of):
    response = api_as("admin").get(f"{URL}/pareto", {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 422
    assert "end" in str(response.json())


def test_a_corrective_action_is_recorded_with_its_audit_entry(api_as, causes):
    response = api_as("admin").post(
        "/api/v1/corrective-actions",
        {"root_cause_id": causes["system"].pk, "taken_on": "2026-06-01",
         "description": "升级转账系统"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201
    assert AuditEntry.objects.filter(object_type="corrective_action").count() == 1


def test_a_corrective_action_for_a_missing_cause_is_refused_and_nothing_is_stored(api_as):
    response = api_as("admin").post(
        "/api/v1/corrective-actions",
        {"root_cause_id": 999999, "taken_on": "2026-06-01", "description": "升级"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "root_cause_id" in str(response.json())
    assert not CorrectiveAction.objects.exists()


def test_a_branch_manager_may_not_record_corrective_actions(api_as, causes):
    response = api_as("branch_manager").post(
        "/api/v1/corrective-actions",
        {"root_cause_id": causes["system"].pk, "taken_on": "2026-06-01", "description": "升级"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not CorrectiveAction.objects.exists()


def test_the_analysis_page_shows_the_pareto_and_the_repeat_customers(
    client, staff, case_of, causes, make_customer, django_assert_max_num_queries
):
    again = make_customer("李强")
    case_of(cause=causes["system"], customer=again, compensation="88")
    case_of(cause=causes["system"], customer=again)
    client.force_login(staff["admin"])
    with django_assert_max_num_queries(16):
        response = client.get(reverse("service:analysis"), YEAR)
    page = response.content.decode()
    assert response.status_code == 200
    assert "系统故障" in page and "李强" in page and 'id="chart-pareto"' in page


def test_the_analysis_page_keeps_its_query_count_as_causes_and_cases_grow(
    client, staff, case_of, causes, make_customer
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("service:analysis"), YEAR).status_code == 200
        return len(captured)

    client.force_login(staff["admin"])
    case_of(cause=causes["system"])
    queries()  # the first request of a session also writes it
    few = queries()
    for cause in causes.values():
        for _ in range(3):
            case_of(cause=cause, customer=make_customer("客户"))
    assert queries() == few


def test_an_inverted_period_on_the_page_says_what_is_wrong_and_shows_no_figures(
    client, staff, case_of, causes
):
    case_of(cause=causes["system"])
    client.force_login(staff["admin"])
    response = client.get(reverse("service:analysis"), {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 200
    assert 'id="chart-pareto"' not in response.content.decode()
    assert response.context["form"].errors["end"]


def test_the_analysis_page_is_refused_to_an_account_manager(client, staff):
    client.force_login(staff["account_manager"])
    assert client.get(reverse("service:analysis")).status_code == 403
