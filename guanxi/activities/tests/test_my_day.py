"""My day: today's agenda, overdue items, new churn warnings, neglected top-tier customers
and birthdays, each of the viewer's portfolio, through the API and the page."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from guanxi.activities.models import Activity
from guanxi.audit.models import AuditEntry
from guanxi.customers.models import Customer
from guanxi.insights.models import AnalysisRun, CustomerScore, NewChurnWarning

URL = "/api/v1/my-day"


def _today_at(hour: int) -> datetime:
    return datetime.combine(
        timezone.localdate(), time(hour), tzinfo=timezone.get_current_timezone()
    )


def test_the_agenda_lists_todays_activities_and_tasks_due_today(api_as, mine, log):
    meeting = log(mine, kind="meeting", status="open", starts_at=_today_at(15), subject="面谈")
    task = log(mine, kind="task", subject="寄资料", starts_at=_today_at(8) - timedelta(days=3),
               due_on=timezone.localdate())  # fmt: skip
    log(mine, kind="call", starts_at=_today_at(10) - timedelta(days=2), subject="前天的电话")
    day = api_as("account_manager").get(URL).json()
    assert [line["id"] for line in day["agenda"]] == [task.pk, meeting.pk]
    assert all(line["can_complete"] and line["can_reschedule"] for line in day["agenda"])


def test_overdue_lists_open_items_due_before_today(api_as, mine, log):
    late = log(mine, kind="task", subject="逾期", due_on=timezone.localdate() - timedelta(days=1))
    log(mine, kind="task", subject="未到期", due_on=timezone.localdate() + timedelta(days=1))
    assert [line["id"] for line in api_as("account_manager").get(URL).json()["overdue"]] == [
        late.pk
    ]


def test_overdue_puts_the_oldest_day_first_and_a_dated_task_before_an_undated_call(
    api_as, mine, log
):
    now = timezone.now()
    called = log(
        mine, kind="call", subject="未打的电话", status="open", starts_at=now - timedelta(days=2)
    )
    due = log(
        mine, kind="task", subject="前天到期", due_on=timezone.localdate() - timedelta(days=2)
    )
    older = log(mine, kind="task", subject="更早", due_on=timezone.localdate() - timedelta(days=5))
    log(mine, kind="call", subject="今天的电话", starts_at=now + timedelta(minutes=5))
    overdue = api_as("account_manager").get(URL).json()["overdue"]
    assert [line["id"] for line in overdue] == [older.pk, due.pk, called.pk]


def test_someone_elses_tasks_are_not_on_my_day(api_as, mine, log):
    log(mine, role="team_lead", kind="task", subject="组长的", due_on=timezone.localdate())
    day = api_as("account_manager").get(URL).json()
    assert day["agenda"] == [] and day["overdue"] == []


def _run(finished_at, warned: list[Customer], new: list[Customer]) -> AnalysisRun:
    """A finished run warning about ``warned``, of whom ``new`` the run before did not warn."""
    run = AnalysisRun.objects.create(status="finished", trigger="command", finished_at=finished_at)
    CustomerScore.objects.bulk_create(
        CustomerScore(run=run, customer=c, churn_warning=True, churn_severity=2,
                      churn_reason_en="No purchase for 200 days", churn_reason_zh="200天未购买")
        for c in warned
    )  # fmt: skip
    NewChurnWarning.objects.bulk_create(
        NewChurnWarning(run=run, customer=c, branch_id=c.branch_id, owner_id=c.owner_id,
                        severity=2)
        for c in new
    )  # fmt: skip
    return run


def test_churn_lists_customers_warned_by_the_latest_run_and_not_the_one_before(
    api_as, mine, make_customer, theirs
):
    old = make_customer("老预警")
    _run(timezone.now() - timedelta(days=1), [old], [old])
    _run(timezone.now(), [old, mine, theirs], [mine, theirs])
    churn = api_as("account_manager").get(URL).json()["churn"]
    assert [c["customer_id"] for c in churn] == [mine.pk]
    assert churn[0]["reason"]


def test_a_new_warning_of_a_customer_handed_over_since_the_run_leaves_the_former_owners_day(
    api_as, mine, staff
):
    _run(timezone.now(), [mine], [mine])
    Customer.objects.filter(pk=mine.pk).update(owner=staff["team_lead"])
    assert api_as("account_manager").get(URL).json()["churn"] == []


def test_neglected_lists_platinum_customers_not_visited_within_the_rule(api_as, make_customer, log):
    visited = make_customer("常拜访", value_tier="platinum")
    forgotten = make_customer("久未拜访", value_tier="platinum")
    called_only = make_customer("只打电话", value_tier="platinum")
    make_customer("普通客户", value_tier="standard")
    log(visited, kind="visit", starts_at=timezone.now() - timedelta(days=3))
    log(forgotten, kind="visit", starts_at=timezone.now() - timedelta(days=60))
    log(called_only, kind="call", starts_at=timezone.now() - timedelta(days=1))
    lines = api_as("account_manager").get(URL).json()["neglected"]
    assert {line["customer_id"] for line in lines} == {forgotten.pk, called_only.pk}
    assert {line["rule_kind"] for line in lines} == {"visit"}


def test_a_call_meets_the_gold_tiers_rule(api_as, make_customer, log):
    called = make_customer("金卡客户", value_tier="gold")
    log(called, kind="call", starts_at=timezone.now() - timedelta(days=5))
    assert api_as("account_manager").get(URL).json()["neglected"] == []


def test_neglected_customers_are_of_the_viewers_scope(api_as, make_customer, org, staff):
    make_customer("南方白金", value_tier="platinum", branch_id=org["south"].pk,
                  owner_id=staff["south_manager"].pk)  # fmt: skip
    assert api_as("account_manager").get(URL).json()["neglected"] == []
    assert len(api_as("admin").get(URL).json()["neglected"]) == 1


def _born_today() -> date:
    today = timezone.localdate()
    return (
        today.replace(year=1980)
        if not (today.month == 2 and today.day == 29)
        else date(1980, 2, 29)
    )


def test_birthdays_show_for_a_role_that_sees_them_and_the_read_is_audited(api_as, make_customer):
    from guanxi.conftest import resident_id

    born = _born_today()
    customer = make_customer("寿星", id_number=resident_id(born))
    assert Customer.objects.get(pk=customer.pk).birthday == born
    before = AuditEntry.objects.filter(action="read").count()
    lines = api_as("account_manager").get(URL).json()["birthdays"]
    assert [line["customer_id"] for line in lines] == [customer.pk]
    assert lines[0]["birthday"] == born.isoformat()
    assert AuditEntry.objects.filter(action="read").count() == before + 1


def test_a_birthday_shows_masked_to_a_team_lead(api_as, make_customer):
    from guanxi.conftest import resident_id

    born = _born_today()
    make_customer("寿星", id_number=resident_id(born))
    lines = api_as("team_lead").get(URL).json()["birthdays"]
    assert len(lines) == 1 and lines[0]["birthday"].startswith("**")
    assert str(born.year) not in lines[0]["birthday"]


def test_a_marketer_sees_the_birthday_masked_as_on_the_360(api_as, make_customer):
    from guanxi.conftest import resident_id

    born = _born_today()
    customer = make_customer("寿星", id_number=resident_id(born))
    lines = api_as("marketer").get(URL).json()["birthdays"]
    shown = api_as("marketer").get(f"/api/v1/customers/{customer.pk}").json()["profile"]
    assert [line["birthday"] for line in lines] == [shown["birthday"]]
    assert str(born.year) not in lines[0]["birthday"]


def test_a_birthday_the_policy_hides_gives_no_line(api_as, make_customer, monkeypatch):
    from guanxi import policy
    from guanxi.activities import my_day
    from guanxi.conftest import resident_id

    make_customer("寿星", id_number=resident_id(_born_today()))
    monkeypatch.setattr(my_day.policy, "access_to", lambda name, access: policy.Access.HIDDEN)
    assert api_as("account_manager").get(URL).json()["birthdays"] == []


def test_the_my_day_page_offers_one_click_actions(client, staff, mine, log):
    task = log(mine, kind="task", subject="回访准备", due_on=timezone.localdate())
    client.force_login(staff["account_manager"])
    page = client.get("/activities/my-day/").content.decode()
    assert f"/activities/{task.pk}/complete/" in page
    assert f"/activities/{task.pk}/reschedule/" in page


def test_mark_done_from_my_day_completes_the_task(client, staff, mine, log):
    task = log(mine, kind="task", subject="回访准备", due_on=timezone.localdate())
    client.force_login(staff["account_manager"])
    response = client.post(f"/activities/{task.pk}/complete/", {"version": task.version})
    assert response.status_code == 302
    assert Activity.objects.get(pk=task.pk).status == "done"


def test_every_one_click_form_of_my_day_carries_a_token_the_csrf_check_accepts(staff, mine, log):
    tasks = [
        log(mine, kind="task", subject=f"回访{n}", due_on=timezone.localdate()) for n in (1, 2)
    ]
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["account_manager"])
    page = client.get("/activities/my-day/").content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) >= 4  # mark done and to tomorrow, for each task
    for task, token in zip(tasks, tokens[::2], strict=False):
        answer = client.post(
            f"/activities/{task.pk}/complete/",
            {"version": task.version, "csrfmiddlewaretoken": token},
        )
        assert answer.status_code == 302
    assert set(
        Activity.objects.filter(pk__in=[t.pk for t in tasks]).values_list("status", flat=True)
    ) == {"done"}


def test_reschedule_from_my_day_moves_the_task_to_tomorrow(client, staff, mine, log):
    task = log(mine, kind="task", subject="回访准备", due_on=timezone.localdate())
    client.force_login(staff["account_manager"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    client.post(f"/activities/{task.pk}/reschedule/", {"version": 1, "due_on": tomorrow})
    assert Activity.objects.get(pk=task.pk).due_on == tomorrow


@pytest.mark.parametrize(
    ("role", "landing"),
    [("account_manager", "/activities/my-day/"), ("team_lead", "/activities/my-day/"),
     ("branch_manager", "/customers/"), ("admin", "/customers/")],
)  # fmt: skip
def test_account_managers_and_team_leads_land_on_my_day(client, staff, role, landing):
    client.force_login(staff[role])
    assert client.get("/").url == landing


def test_login_leads_to_the_landing_page(client, staff):
    from guanxi.conftest import PASSWORD

    response = client.post("/login/", {"username": "am", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/activities/my-day/"


def test_my_day_is_in_the_navigation(client, staff):
    client.force_login(staff["account_manager"])
    page = client.get("/activities/").content.decode()
    assert 'href="/activities/my-day/"' in page


def test_the_my_day_api_takes_a_fixed_number_of_queries(api_as, make_customer, log,
                                                        django_assert_max_num_queries):  # fmt: skip
    client = api_as("account_manager")
    for n in range(5):
        customer = make_customer(f"客户{n}", value_tier="platinum")
        log(customer, kind="task", subject="任务", due_on=timezone.localdate())
    client.get(URL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(5, 15):
        customer = make_customer(f"客户{n}", value_tier="platinum")
        log(customer, kind="task", subject="任务", due_on=timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(few) == len(many)
