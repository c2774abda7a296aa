"""The plans API: make a plan, plan contacts, change targets with the version, review a
week, read completion and the daily agenda; refusals name the field and change nothing."""

import datetime as dt

from guanxi.audit.models import AuditEntry
from guanxi.plans.models import ItemReview, Plan, PlanItem
from guanxi.plans.tests.conftest import DAY

P = "/api/v1/plans"


def post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def fields_of(response) -> set[str]:
    return {d["field"] for d in response.json()["detail"]}


def test_an_account_manager_makes_a_week_plan_with_targets(api_as):
    response = post(api_as("account_manager"), P, {
        "period": "week", "day": "2031-01-08", "targets": {"visits": 4, "won_amount": "20000"},
    })  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["starts_on"], body["ends_on"], body["version"]) == ("2031-01-06", "2031-01-12", 1)
    assert {t["metric"] for t in body["completion"]["targets"]} == {"visits", "won_amount"}


def test_a_second_plan_of_the_week_is_a_conflict_naming_the_first(api_as, week_plan):
    response = post(api_as("account_manager"), P, {"period": "week", "day": "2031-01-10"})
    assert response.status_code == 409
    assert response.json()["existing_id"] == week_plan.pk
    assert Plan.objects.count() == 1


def test_an_unknown_target_metric_is_refused_by_name(api_as):
    response = post(api_as("account_manager"), P, {
        "period": "week", "day": "2031-01-08", "targets": {"smiles": 3},
    })  # fmt: skip
    assert response.status_code == 422
    assert any(f.startswith("targets") for f in fields_of(response))
    assert not Plan.objects.exists()


def test_a_contact_is_planned_and_done_once_the_visit_is_logged(api_as, week_plan, mine, log):
    client = api_as("account_manager")
    response = post(client, f"{P}/{week_plan.pk}/items", {
        "version": 1, "customer_id": mine.pk, "kind": "visit", "planned_on": "2031-01-09",
        "purpose": "介绍理财产品",
    })  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["items"][0]["done"] is False
    visit = log(mine, "visit")
    body = client.get(f"{P}/{week_plan.pk}").json()
    assert body["items"][0]["activity_id"] == visit.pk
    assert (body["completion"]["planned"], body["completion"]["done"]) == (1, 1)


def test_planning_a_customer_out_of_the_portfolio_names_customer_id(api_as, week_plan, theirs):
    response = post(api_as("account_manager"), f"{P}/{week_plan.pk}/items", {
        "version": 1, "customer_id": theirs.pk, "kind": "call",
    })  # fmt: skip
    assert response.status_code == 422
    assert fields_of(response) == {"customer_id"}
    assert not PlanItem.objects.exists()


def test_a_stale_version_changes_nothing(api_as, week_plan):
    response = api_as("account_manager").patch(
        f"{P}/{week_plan.pk}", {"version": 7, "note": "改"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 1
    week_plan.refresh_from_db()
    assert week_plan.note == "" and week_plan.version == 1


def test_an_edit_without_a_version_names_version(api_as, week_plan):
    response = api_as("account_manager").patch(
        f"{P}/{week_plan.pk}", {"note": "改"}, content_type="application/json"
    )
    assert response.status_code == 422 and fields_of(response) == {"version"}


def test_targets_are_replaced_with_the_version_read(api_as, week_plan):
    response = api_as("account_manager").patch(
        f"{P}/{week_plan.pk}", {"targets": {"visits": 2}}, content_type="application/json",
        headers={"If-Match": "1"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert [t["metric"] for t in response.json()["completion"]["targets"]] == ["visits"]


def test_a_planned_contact_is_removed_with_the_version(api_as, week_plan, mine, add_item):
    item = add_item(week_plan, mine)
    response = api_as("account_manager").delete(f"{P}/{week_plan.pk}/items/{item.pk}?version=2")
    assert response.status_code == 200, response.content
    assert not PlanItem.objects.exists()


def test_the_team_lead_reviews_the_week(api_as, week_plan, mine, add_item):
    item = add_item(week_plan, mine)
    response = post(api_as("team_lead"), f"{P}/{week_plan.pk}/review", {
        "version": 2, "lines": [{"item_id": item.pk, "change": "opportunity", "note": "进入方案"}],
    })  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reviewed_by"] == "陈组长"
    assert body["items"][0]["review"]["change"] == "opportunity"


def test_a_bad_review_change_is_refused_by_name(api_as, week_plan, mine, add_item):
    item = add_item(week_plan, mine)
    response = post(api_as("team_lead"), f"{P}/{week_plan.pk}/review", {
        "version": 2, "lines": [{"item_id": item.pk, "change": "sideways"}],
    })  # fmt: skip
    assert response.status_code == 422
    assert fields_of(response) == {"lines.0.change"}
    assert not ItemReview.objects.exists()


def test_another_branchs_manager_reads_the_plan_as_missing(api_as, week_plan):
    assert api_as("south_manager").get(f"{P}/{week_plan.pk}").status_code == 404


def test_an_auditor_reads_but_may_not_change_a_plan(api_as, week_plan):
    client = api_as("auditor")
    assert client.get(f"{P}/{week_plan.pk}").status_code == 200
    response = client.patch(f"{P}/{week_plan.pk}", {"version": 1, "note": "x"},
                            content_type="application/json")  # fmt: skip
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(object_type="plan", action="update").exists()


def test_the_list_shows_the_teams_plans_to_the_team_lead_only(api_as, week_plan):
    assert [p["id"] for p in api_as("team_lead").get(P).json()["results"]] == [week_plan.pk]
    assert api_as("other_manager").get(P).json()["results"] == []


def test_the_agenda_lists_the_days_planned_contacts(api_as, week_plan, mine, add_item):
    add_item(week_plan, mine, planned_on=dt.date(2031, 1, 9))
    body = api_as("account_manager").get(f"{P}/agenda", {"day": "2031-01-09"}).json()
    assert body["plan_id"] == week_plan.pk
    assert [i["customer_name"] for i in body["planned"]] == ["王客户"]


def test_completion_per_tier_is_read_for_a_branch(api_as, week_plan, mine, add_item, log, org):
    add_item(week_plan, mine)
    log(mine, "visit")
    response = api_as("branch_manager").get(
        f"{P}/completion",
        {"first": "2031-01-01", "last": "2031-01-31", "branch_id": org["north"].pk},
    )
    assert response.status_code == 200, response.content
    standard = next(r for r in response.json() if r["tier"] == "standard")
    assert (standard["planned"], standard["done"], standard["actual"]) == (1, 1, 1)


def test_a_span_that_ends_before_it_starts_names_last(api_as):
    response = api_as("branch_manager").get(
        f"{P}/completion", {"first": "2031-01-31", "last": "2031-01-01"}
    )
    assert response.status_code == 422 and fields_of(response) == {"last"}


def test_the_month_completion_counts_the_months_visits(api_as, viewer, mine, add_item, log):
    response = post(api_as("account_manager"), P, {
        "period": "month", "day": DAY.isoformat(), "targets": {"contacts": 10},
    })  # fmt: skip
    plan = Plan.objects.get(pk=response.json()["id"])
    add_item(plan, mine, planned_on=None)
    log(mine, "visit", at=dt.datetime(2031, 1, 28, 9, tzinfo=dt.UTC))
    body = api_as("account_manager").get(f"{P}/{plan.pk}/completion").json()
    assert (body["planned"], body["done"], body["percent"]) == (1, 1, 100)
    assert body["targets"][0]["actual"] == "1"


def test_the_agenda_of_a_colleague_out_of_reach_is_missing(api_as, staff):
    response = api_as("account_manager").get(f"{P}/agenda", {"owner_id": staff["other_manager"].pk})
    assert response.status_code == 404


def test_the_team_lead_reads_a_members_agenda(api_as, staff, week_plan):
    response = api_as("team_lead").get(
        f"{P}/agenda", {"owner_id": staff["account_manager"].pk, "day": "2031-01-09"}
    )
    assert response.status_code == 200 and response.json()["plan_id"] == week_plan.pk
