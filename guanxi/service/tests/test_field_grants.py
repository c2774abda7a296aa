"""The service agent's view of personal data: a customer's full phone while a case of
theirs for that customer is open, masked before and after, audited as every read is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi import policy
from guanxi.audit.models import AuditAction, AuditEntry
from guanxi.service import case_transitions, cases
from guanxi.service.case_models import Case, ServiceQueue
from guanxi.service.tests.conftest import CONTEXT

URL = "/api/v1/customers"
FULL, MASKED = "13812345678", "138****5678"


@pytest.fixture
def agent(staff) -> policy.Viewer:
    return policy.Viewer.of(staff["service_agent"])


def open_case(viewer: policy.Viewer, customer_id: int, **extra) -> Case:
    return cases.case_create(
        viewer=viewer, customer_id=customer_id, case_type="inquiry", channel="hotline",
        priority="normal", subject="询问转账限额", context=CONTEXT, **extra,
    )  # fmt: skip


def move(viewer: policy.Viewer, case: Case, state: str, **extra) -> Case:
    case.refresh_from_db()
    return case_transitions.case_transition(
        viewer=viewer, case_id=case.pk, state=state, expected_version=case.version,
        context=CONTEXT, **extra,
    )  # fmt: skip


def phone_seen(api_as, customer) -> str:
    return api_as("service_agent").get(f"{URL}/{customer.pk}").json()["profile"]["phone"]


def test_an_agent_sees_the_full_phone_only_while_their_case_is_open(api_as, make_customer, agent):
    customer = make_customer()
    assert phone_seen(api_as, customer) == MASKED
    case = open_case(agent, customer.pk)  # an agent opening a case keeps it
    assert phone_seen(api_as, customer) == FULL
    for state in ("acknowledged", "in_progress", "resolved"):
        move(agent, case, state)
    assert phone_seen(api_as, customer) == MASKED
    move(agent, case, "closed")
    assert phone_seen(api_as, customer) == MASKED


def test_the_full_read_is_audited_as_full(api_as, make_customer, agent, staff):
    customer = make_customer()
    open_case(agent, customer.pk)
    phone_seen(api_as, customer)
    entry = AuditEntry.objects.filter(
        actor=staff["service_agent"], action=AuditAction.READ, object_id=str(customer.pk)
    ).latest("at")
    assert "phone:full" in entry.fields


def test_a_case_in_a_queue_the_agent_works_grants_the_phone(
    api_as, make_customer, admin_viewer, staff
):
    customer = make_customer()
    queue = ServiceQueue.objects.create(name="理财后台", kind="settlement")
    open_case(admin_viewer, customer.pk, queue_id=queue.pk)
    assert phone_seen(api_as, customer) == MASKED  # not yet a member
    queue.members.add(staff["service_agent"])
    assert phone_seen(api_as, customer) == FULL


def test_another_agents_case_grants_nothing(api_as, make_customer, admin_viewer, staff):
    customer = make_customer()
    open_case(admin_viewer, customer.pk, owner_id=staff["admin"].pk)
    assert phone_seen(api_as, customer) == MASKED


def test_an_open_case_of_another_customer_leaves_this_one_masked(api_as, make_customer, agent):
    theirs, other = make_customer("王芳"), make_customer("李雷")
    open_case(agent, theirs.pk)
    assert phone_seen(api_as, theirs) == FULL
    assert phone_seen(api_as, other) == MASKED
    rows = api_as("service_agent").get(URL).json()["results"]
    phones = {row["id"]: row["phone"] for row in rows}
    assert phones == {theirs.pk: FULL, other.pk: MASKED}


def test_other_roles_are_not_asked_about_cases(make_customer, staff, agent):
    customer = make_customer()
    open_case(agent, customer.pk)
    marketer = policy.Viewer.of(staff["marketer"])
    with CaptureQueriesContext(connection) as queries:
        access = policy.field_access(marketer, [customer])
    assert access[customer.pk]["phone"] is policy.Access.MASKED
    assert not any("service_case" in q["sql"] for q in queries.captured_queries)


def test_the_customer_list_reads_the_grant_once_whatever_the_rows(api_as, make_customer, agent):
    def count() -> int:
        client = api_as("service_agent")
        # Warmed up first: the first read of a client's token and of the caches costs more.
        assert client.get(URL).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries.captured_queries)

    # Two rows at least both times: the audit keeps a single subject in its entry and
    # several in one more statement.
    for name in ("甲", "乙"):
        open_case(agent, make_customer(name).pk)
    few = count()
    for name in ("丙", "丁", "戊"):
        open_case(agent, make_customer(name).pk)
    assert count() == few


def test_an_agents_export_read_a_row_at_a_time_shows_the_phone_of_their_open_case(
    api_as, make_customer, agent, monkeypatch
):
    from guanxi.customers import exports

    # One row per fetch: on PostgreSQL the next row is read in a thread while the grant's
    # query for this one runs on the same connection.
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 1)
    with_case = make_customer("艾一")
    make_customer("白二")
    open_case(agent, with_case.pk)
    answer = api_as("service_agent").get("/api/v1/customers/export.csv")
    assert answer.status_code == 200, answer.content
    rows = b"".join(answer.streaming_content).decode().splitlines()[1:]
    assert [row.split(",")[1:3] for row in rows] == [["艾一", FULL], ["白二", MASKED]]
