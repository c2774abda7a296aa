"""The cases API: the queue's order and SLA clocks, scope, refusals that name the field
and change nothing, and a list whose query count stays flat as cases grow."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.service import case_selectors, cases, sla_policies
from guanxi.service.case_models import Case, ServiceQueue
from guanxi.service.case_transitions import case_transition
from guanxi.service.tests.conftest import CONTEXT

SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "/api/v1/cases"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.fixture
def clock(monkeypatch):
    now = [at(2026, 11, 2, 10, 0)]  # a Monday
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    monkeypatch.setattr(case_selectors, "now", lambda: now[0])
    return now


@pytest.fixture
def policies(admin_viewer, desk):
    for tier, first, resolution in (("", 240, 2400), ("platinum", 60, 960)):
        sla_policies.sla_policy_create(
            viewer=admin_viewer, case_type="complaint", priority="normal", value_tier=tier,
            first_response_minutes=first, resolution_minutes=resolution, calendar_id=desk.pk,
            context=CONTEXT,
        )  # fmt: skip


@pytest.fixture
def open_case(admin_viewer, make_customer, policies, clock):
    def make(name: str = "王芳", case_type: str = "complaint", **customer) -> Case:
        person = make_customer(name, **customer)
        return cases.case_create(
            viewer=admin_viewer, customer_id=person.pk, case_type=case_type, channel="hotline",
            priority="normal", subject="转账失败", context=CONTEXT,
        )  # fmt: skip

    return make


def test_a_higher_tier_customer_comes_first_in_the_queue(open_case, api_as, clock):
    standard = open_case("普通客户", value_tier="standard")
    clock[0] = at(2026, 11, 4, 10, 0)  # the platinum case comes two days later
    platinum = open_case("白金客户", value_tier="platinum")
    listed = api_as("admin").get(URL).json()["results"]
    assert [c["id"] for c in listed] == [platinum.pk, standard.pk]


def test_every_case_read_shows_its_sla_status_and_working_time_left(open_case, api_as, clock):
    case = open_case()
    clock[0] = at(2026, 11, 2, 11, 0)
    sla = api_as("admin").get(f"{URL}/{case.pk}").json()["sla"]
    assert (sla["status"], sla["minutes_left"]) == ("on_time", 2400 - 60)


def test_a_case_past_its_first_response_deadline_reads_as_breached(open_case, api_as, clock):
    case = open_case()
    clock[0] = at(2026, 11, 3, 10, 0)  # 7 working hours later, the first answer was due in 4
    assert api_as("admin").get(f"{URL}/{case.pk}").json()["sla"]["status"] == "breached"


def test_the_list_filters_by_sla_status(open_case, api_as, clock):
    late = open_case("甲")
    clock[0] = at(2026, 11, 3, 10, 0)
    fresh = open_case("乙")
    client = api_as("admin")
    breached = client.get(URL, {"sla_status": "breached"}).json()
    on_time = client.get(URL, {"sla_status": "on_time"}).json()
    assert [c["id"] for c in breached["results"]] == [late.pk] and breached["count"] == 1
    assert [c["id"] for c in on_time["results"]] == [fresh.pk]


def test_the_queue_lists_only_open_cases_when_asked(open_case, api_as, admin_viewer, clock):
    done = open_case("甲", case_type="inquiry")
    cases_done = case_transition(
        viewer=admin_viewer, case_id=done.pk, state="closed", expected_version=done.version,
        context=CONTEXT, on_the_spot=True, note="当场解答",
    )  # fmt: skip
    waiting = open_case("乙")
    client = api_as("admin")
    everything = client.get(URL).json()["results"]
    queue = client.get(URL, {"open_only": "true"}).json()
    assert {c["id"] for c in everything} == {cases_done.pk, waiting.pk}
    assert [c["id"] for c in queue["results"]] == [waiting.pk] and queue["count"] == 1


def test_a_queue_longer_than_the_count_limit_says_its_count_is_a_lower_bound(
    open_case, api_as, monkeypatch
):
    monkeypatch.setattr(case_selectors, "COUNT_LIMIT", 2)
    for name in ("甲", "乙", "丙"):
        open_case(name)
    listed = api_as("admin").get(URL, {"open_only": "true", "page_size": 2}).json()
    assert (listed["count"], listed["count_is_lower_bound"], listed["has_next"]) == (2, True, True)
    last = api_as("admin").get(URL, {"open_only": "true", "page_size": 2, "page": 2}).json()
    assert (len(last["results"]), last["has_next"]) == (1, False)


def test_a_short_queue_is_counted_exactly(open_case, api_as):
    open_case("甲")
    listed = api_as("admin").get(URL, {"open_only": "true"}).json()
    assert (listed["count"], listed["count_is_lower_bound"], listed["has_next"]) == (
        1,
        False,
        False,
    )


def test_a_waiting_case_reads_as_paused(open_case, api_as):
    case = open_case("丙", case_type="inquiry")
    client = api_as("admin")
    for state in ("acknowledged", "waiting"):
        version = client.get(f"{URL}/{case.pk}").json()["version"]
        response = client.post(
            f"{URL}/{case.pk}/transition", {"state": state, "version": version},
            content_type="application/json",
        )  # fmt: skip
        assert response.status_code == 200, response.content
    assert response.json()["sla"]["status"] in ("paused", "none")


def test_the_api_offers_only_the_moves_the_table_allows(open_case, api_as):
    case = open_case()
    assert api_as("admin").get(f"{URL}/{case.pk}").json()["next_states"] == [
        "acknowledged",
        "closed",
    ]


def test_a_refused_move_names_the_field_and_changes_nothing(open_case, api_as):
    case = open_case()
    before = Case.objects.values().get(pk=case.pk)
    response = api_as("admin").post(
        f"{URL}/{case.pk}/transition", {"state": "acknowledged", "version": case.version},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["promised_reply_at"]
    assert Case.objects.values().get(pk=case.pk) == before


def test_a_stale_version_is_a_conflict_and_changes_nothing(open_case, api_as):
    case = open_case()
    before = Case.objects.values().get(pk=case.pk)
    response = api_as("admin").patch(
        f"{URL}/{case.pk}", {"subject": "新主题", "version": case.version + 1},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 409
    assert Case.objects.values().get(pk=case.pk) == before


def test_an_unknown_category_is_a_422_naming_it(open_case, api_as, make_customer):
    person = make_customer("丁")
    response = api_as("admin").post(
        URL,
        {"customer_id": person.pk, "case_type": "inquiry", "channel": "app", "subject": "咨询",
         "category_id": 99999},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["category_id"]


def test_an_account_manager_sees_only_their_customers_cases(open_case, api_as, org, staff):
    mine = open_case("己方客户")
    theirs = open_case("他行客户", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)
    client = api_as("account_manager")
    assert [c["id"] for c in client.get(URL).json()["results"]] == [mine.pk]
    assert client.get(f"{URL}/{theirs.pk}").status_code == 404


def test_an_agent_sees_the_cases_of_their_queue_only(open_case, api_as, staff, admin_viewer):
    queue = ServiceQueue.objects.create(name="信息技术部", kind="technology")
    queue.members.add(staff["service_agent"])
    mine, other = open_case("甲"), open_case("乙")
    cases.case_assign(
        viewer=admin_viewer, case_id=mine.pk, queue_id=queue.pk, expected_version=mine.version,
        context=CONTEXT,
    )  # fmt: skip
    client = api_as("service_agent")
    assert [c["id"] for c in client.get(URL).json()["results"]] == [mine.pk]
    assert client.get(f"{URL}/{other.pk}").status_code == 404


def test_the_service_desk_sees_every_open_case(open_case, api_as, staff):
    desk = ServiceQueue.objects.create(name="客服中心", kind="service_desk")
    desk.members.add(staff["service_agent"])
    first, second = open_case("甲"), open_case("乙")
    listed = api_as("service_agent").get(URL).json()
    assert {c["id"] for c in listed["results"]} == {first.pk, second.pk}


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_list_query_count_stays_flat_as_cases_grow(open_case, api_as, staff):
    client = api_as("team_lead")
    open_case("甲")
    _list_queries(client)  # the token's first use is written once
    few = _list_queries(client)
    for n in range(6):
        open_case(f"客户{n}", value_tier="platinum" if n % 2 else "gold")
    assert _list_queries(client) == few
    assert client.get(URL).json()["count"] == 7


def _close_on_the_spot(client, case: Case) -> None:
    response = client.post(
        f"{URL}/{case.pk}/transition",
        {"state": "closed", "on_the_spot": True, "note": "当场解答", "version": case.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def test_the_service_desk_sees_closed_internal_requests_but_not_closed_complaints(
    open_case, api_as, staff
):
    desk = ServiceQueue.objects.create(name="客服中心", kind="service_desk")
    desk.members.add(staff["service_agent"])
    request, complaint = open_case("甲", case_type="internal_request"), open_case("乙")
    for case in (request, complaint):
        _close_on_the_spot(api_as("admin"), case)
    listed = api_as("service_agent").get(URL).json()
    assert [c["id"] for c in listed["results"]] == [request.pk]


def test_a_case_resolved_in_time_is_listed_as_met(open_case, api_as, clock):
    case = open_case("甲")
    open_case("乙")
    clock[0] = at(2026, 11, 2, 10, 30)
    _close_on_the_spot(api_as("admin"), case)
    met = api_as("admin").get(URL, {"sla_status": "met"}).json()
    assert [c["id"] for c in met["results"]] == [case.pk]
    assert met["results"][0]["sla"]["status"] == "met"
