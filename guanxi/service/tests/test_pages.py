"""The case pages: the desk's queue, a case with its moves and assignment, a new case."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guanxi import policy
from guanxi.audit.models import AuditEntry
from guanxi.service import case_reference, cases, sla_policies
from guanxi.service.case_models import Case, CaseTransition, ServiceQueue
from guanxi.service.case_transitions import case_transition
from guanxi.service.tests.conftest import CONTEXT


@pytest.fixture
def complaint_policy(admin_viewer, desk):
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
def open_case(admin_viewer, customer, complaint_policy):
    def make(case_type: str = "complaint", subject: str = "理财赎回手续费", **extra) -> Case:
        return cases.case_create(
            viewer=admin_viewer, customer_id=extra.pop("customer_id", customer.pk),
            case_type=case_type, channel="hotline", priority="normal", subject=subject,
            context=CONTEXT, **extra,
        )  # fmt: skip

    return make


def logged_in(client, staff, role="admin"):
    client.force_login(staff[role])
    return client


def snapshot(case: Case) -> tuple:
    return Case.objects.values().get(pk=case.pk), CaseTransition.objects.filter(case=case).count()


def later(days: int = 1) -> str:
    return timezone.localtime(timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_the_queue_shows_an_open_case_with_its_sla_clock(client, staff, open_case):
    open_case()
    page = logged_in(client, staff).get("/service/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "理财赎回手续费" in page and "1 open case" in page
    assert 'data-sla="on_time"' in page and "of working time left" in page


def test_the_queue_leaves_out_a_closed_case(client, staff, open_case, admin_viewer):
    case = open_case(subject="已当场解决")
    case_transition(
        viewer=admin_viewer, case_id=case.pk, state="closed", expected_version=case.version,
        context=CONTEXT, on_the_spot=True, note="当场退还手续费",
    )  # fmt: skip
    assert "已当场解决" not in logged_in(client, staff).get("/service/").content.decode()


def test_the_queue_filters_by_type(client, staff, open_case):
    open_case(subject="投诉一件")
    open_case(case_type="inquiry", subject="咨询一件")
    page = logged_in(client, staff).get("/service/?case_type=inquiry").content.decode()
    assert "咨询一件" in page and "投诉一件" not in page


def test_the_queue_filters_by_sla_status(client, staff, open_case):
    open_case(subject="投诉限时")
    open_case(case_type="praise", subject="没有时限的")
    page = logged_in(client, staff).get("/service/?sla_status=none").content.decode()
    assert "没有时限的" in page and "投诉限时" not in page


def test_the_queue_ignores_a_filter_value_it_does_not_know(client, staff, open_case):
    open_case()
    response = logged_in(client, staff).get("/service/?state=nonsense&queue_id=x")
    assert response.status_code == 200 and "理财赎回手续费" in response.content.decode()


def test_the_queue_answers_htmx_with_the_table_alone(client, staff, open_case):
    open_case()
    page = logged_in(client, staff).get("/service/", HTTP_HX_REQUEST="true").content.decode()
    assert page.lstrip().startswith('<div class="card" id="case-results">')


def queries_of(client, url: str) -> int:
    assert client.get(url).status_code == 200  # the calendar's working time read once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_queue_takes_the_same_queries_for_more_cases(client, staff, open_case):
    reader = logged_in(client, staff)
    open_case()
    few = queries_of(reader, "/service/")
    for n in range(8):
        open_case(subject=f"投诉{n}")
    assert queries_of(reader, "/service/") == few


def test_the_navigation_shows_the_service_desk_to_an_agent(client, staff):
    page = logged_in(client, staff, "service_agent").get("/service/").content.decode()
    assert reverse("service:list") in page


def test_a_case_out_of_scope_is_not_found(client, staff, open_case, make_customer):
    other = make_customer("李四", owner_id=staff["other_manager"].pk)
    case = open_case(customer_id=other.pk)
    assert (
        logged_in(client, staff, "account_manager").get(f"/service/cases/{case.pk}/").status_code
        == 404
    )


def test_a_new_case_offers_only_the_moves_the_table_allows(client, staff, open_case):
    case = open_case()
    page = logged_in(client, staff).get(f"/service/cases/{case.pk}/").content.decode()
    assert 'data-move="acknowledged"' in page and 'data-move="closed"' in page
    assert 'data-move="resolved"' not in page and 'data-move="in_progress"' not in page


def test_acknowledging_a_complaint_asks_for_the_promised_reply_time(client, staff, open_case):
    case = open_case()
    page = logged_in(client, staff).get(f"/service/cases/{case.pk}/").content.decode()
    assert 'id="id_acknowledged_promised_reply_at"' in page


def test_acknowledging_a_complaint_from_the_page_records_the_promise(client, staff, open_case):
    case = open_case()
    response = logged_in(client, staff).post(
        f"/service/cases/{case.pk}/move/",
        {"state": "acknowledged", "promised_reply_at": later(), "version": case.version},
    )
    assert response.url == reverse("service:detail", args=[case.pk])
    case.refresh_from_db()
    assert case.state == "acknowledged" and case.promised_reply_at is not None


def test_resolving_a_complaint_without_a_root_cause_is_refused_and_changes_nothing(
    client, staff, open_case, admin_viewer
):
    case = open_case()
    case = case_transition(
        viewer=admin_viewer, case_id=case.pk, state="acknowledged", expected_version=1,
        context=CONTEXT, promised_reply_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    before = snapshot(case)
    response = logged_in(client, staff).post(
        f"/service/cases/{case.pk}/move/",
        {"state": "resolved", "customer_confirmed": "on", "version": case.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "Name the complaint&#x27;s root cause." in response.content.decode()
    assert snapshot(case) == before


def test_a_move_the_table_does_not_allow_is_refused_and_changes_nothing(client, staff, open_case):
    case = open_case()
    before = snapshot(case)
    response = logged_in(client, staff).post(
        f"/service/cases/{case.pk}/move/", {"state": "confirmed", "version": case.version}
    )
    assert response.status_code == 409 and 'id="refusal"' in response.content.decode()
    assert snapshot(case) == before


def test_a_stale_version_is_refused_with_a_message_and_changes_nothing(
    client, staff, open_case, root_cause
):
    case = open_case(case_type="inquiry")
    before = snapshot(case)
    response = logged_in(client, staff).post(
        f"/service/cases/{case.pk}/move/",
        {"state": "acknowledged", "version": case.version + 1},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert snapshot(case) == before


def test_resolving_with_a_root_cause_and_confirmation_resolves_the_complaint(
    client, staff, open_case, admin_viewer, root_cause
):
    case = open_case()
    case = case_transition(
        viewer=admin_viewer, case_id=case.pk, state="acknowledged", expected_version=1,
        context=CONTEXT, promised_reply_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    logged_in(client, staff).post(
        f"/service/cases/{case.pk}/move/",
        {"state": "resolved", "root_cause_id": root_cause.pk, "customer_confirmed": "on",
         "note": "退还手续费", "version": case.version},
    )  # fmt: skip
    case.refresh_from_db()
    assert (case.state, case.root_cause_id, case.customer_confirmed) == (
        "resolved", root_cause.pk, True,
    )  # fmt: skip


def test_the_timeline_shows_who_moved_the_case_with_the_note(
    client, staff, open_case, admin_viewer
):
    case = open_case(case_type="inquiry")
    case_transition(
        viewer=admin_viewer, case_id=case.pk, state="acknowledged", expected_version=1,
        context=CONTEXT, note="已回电客户",
    )  # fmt: skip
    page = logged_in(client, staff).get(f"/service/cases/{case.pk}/").content.decode()
    assert "已回电客户" in page and "管理员" in page


def test_assigning_to_a_queue_from_the_page_shows_in_the_timeline(client, staff, open_case):
    case = open_case()
    queue = ServiceQueue.objects.create(name="合规部", kind="compliance")
    client = logged_in(client, staff)
    response = client.post(
        f"/service/cases/{case.pk}/assign/",
        {"queue_id": queue.pk, "reason": "涉及合规", "version": case.version},
    )
    assert response.url == reverse("service:detail", args=[case.pk])
    assert Case.objects.get(pk=case.pk).queue_id == queue.pk
    assert "涉及合规" in client.get(f"/service/cases/{case.pk}/").content.decode()


def test_the_case_page_takes_the_same_queries_for_a_longer_history(client, staff, open_case):
    case = open_case(case_type="inquiry")
    queues = [ServiceQueue.objects.create(name=f"队列{n}", kind="service_desk") for n in range(3)]
    reader = logged_in(client, staff)
    url = f"/service/cases/{case.pk}/"
    few = queries_of(reader, url)
    viewer = policy.Viewer.of(staff["admin"])
    for version, queue in enumerate(queues, start=case.version):
        cases.case_assign(
            viewer=viewer, case_id=case.pk, expected_version=version, context=CONTEXT,
            queue_id=queue.pk, reason="转派",
        )  # fmt: skip
    case_transition(
        viewer=viewer, case_id=case.pk, state="acknowledged", expected_version=version + 1,
        context=CONTEXT, note="已回电",
    )  # fmt: skip
    assert queries_of(reader, url) == few


def test_an_auditor_is_offered_no_moves(client, staff, open_case):
    case = open_case()
    page = logged_in(client, staff, "auditor").get(f"/service/cases/{case.pk}/").content.decode()
    assert "data-move=" not in page and 'id="assign-form"' not in page


def test_a_case_is_opened_from_the_form(client, staff, customer, complaint_policy):
    response = logged_in(client, staff).post(
        "/service/cases/new/",
        {"case_type": "complaint", "channel": "hotline", "priority": "normal",
         "customer_id": customer.pk, "subject": "转账未到账"},
    )  # fmt: skip
    case = Case.objects.get()
    assert response.url == reverse("service:detail", args=[case.pk])
    assert (case.subject, case.resolution_due is not None) == ("转账未到账", True)


def test_a_form_without_a_subject_shows_the_error_and_saves_nothing(client, staff, customer):
    response = logged_in(client, staff).post(
        "/service/cases/new/",
        {"case_type": "inquiry", "channel": "hotline", "priority": "normal",
         "customer_id": customer.pk, "subject": ""},
    )  # fmt: skip
    assert 'id="id_subject-errors"' in response.content.decode()
    assert not Case.objects.exists()


def test_a_customer_out_of_scope_is_an_error_next_to_the_field(client, staff, make_customer):
    other = make_customer("李四", owner_id=staff["other_manager"].pk)
    response = logged_in(client, staff, "account_manager").post(
        "/service/cases/new/",
        {"case_type": "inquiry", "channel": "hotline", "priority": "normal",
         "customer_id": other.pk, "subject": "咨询"},
    )  # fmt: skip
    assert 'id="id_customer_id-errors"' in response.content.decode()
    assert not Case.objects.exists()


def test_a_complaint_solved_on_the_spot_closes_at_once(client, staff, customer):
    logged_in(client, staff).post(
        "/service/cases/new/",
        {"case_type": "complaint", "channel": "branch", "priority": "normal",
         "customer_id": customer.pk, "subject": "排队太久", "on_the_spot": "on",
         "spot_note": "当场致歉并安排快速通道"},
    )  # fmt: skip
    case = Case.objects.get()
    assert (case.state, case.on_the_spot) == ("closed", True)


def test_solved_on_the_spot_without_a_note_saves_nothing(client, staff, customer):
    response = logged_in(client, staff).post(
        "/service/cases/new/",
        {"case_type": "complaint", "channel": "branch", "priority": "normal",
         "customer_id": customer.pk, "subject": "排队太久", "on_the_spot": "on"},
    )  # fmt: skip
    assert 'id="id_spot_note-errors"' in response.content.decode()
    assert not Case.objects.exists()


def test_the_new_case_form_preselects_the_customer(client, staff, customer):
    page = logged_in(client, staff).get(f"/service/cases/new/?customer={customer.pk}")
    assert f'value="{customer.pk}"' in page.content.decode()


def test_the_customer_page_links_to_a_new_case_for_the_customer(client, staff, customer):
    page = logged_in(client, staff).get(f"/customers/{customer.pk}/").content.decode()
    assert f"/service/cases/new/?customer={customer.pk}" in page


def test_a_marketer_may_not_open_the_queue(client, staff):
    assert logged_in(client, staff, "marketer").get("/service/").status_code == 403


def test_the_new_case_form_finds_a_customer_by_name_and_offers_to_open_the_case_for_them(
    client, staff, customer
):
    logged_in(client, staff, "account_manager")
    picks = client.get(reverse("service:customer_picker"), {"q": "王芳"}).content.decode()
    assert f"?customer={customer.pk}" in picks
    form = client.get(reverse("service:create"), {"customer": customer.pk}).content.decode()
    assert 'id="chosen-customer"' in form and "王芳" in form


def test_the_customer_search_of_the_new_case_form_shows_no_one_out_of_scope(
    client, staff, make_customer, org
):
    make_customer("南方客户", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)
    logged_in(client, staff, "account_manager")
    picks = client.get(reverse("service:customer_picker"), {"q": "南方客户"}).content.decode()
    assert "?customer=" not in picks


def test_the_customer_search_by_phone_is_audited_as_a_search(client, staff, make_customer):
    make_customer("李强", phone="13812345678")
    logged_in(client, staff, "account_manager")
    client.get(reverse("service:customer_picker"), {"q": "13812345678"})
    assert AuditEntry.objects.filter(action="search", object_type="customer").exists()
