"""The opportunity API: create, read, edit, stage moves with versions, win, lose, team."""

from decimal import Decimal

from guanxi.audit.models import AuditEntry
from guanxi.core.events.models import EventRecord
from guanxi.sales.models import Opportunity, StageChange

API = "/api/v1/opportunities"


def test_pipelines_list_the_default_acquisition_pipeline_with_its_stages_in_order(api_as, pipeline):
    response = api_as("account_manager").get("/api/v1/pipelines")
    assert response.status_code == 200
    default = response.json()[0]
    assert default["code"] == "acquisition" and default["is_default"]
    codes = [s["code"] for s in default["stages"]]
    assert codes == [
        "information", "first_visit", "needs_analysis", "relationship", "proposal", "won", "lost",
    ]  # fmt: skip
    assert [s["probability"] for s in default["stages"]] == [10, 20, 40, 60, 80, 100, 0]
    assert default["stages"][1]["name_zh"] == "初次拜访"


def test_pipeline_names_follow_the_language_asked_for(api_as, pipeline):
    response = api_as("account_manager").get(
        "/api/v1/pipelines", headers={"Accept-Language": "zh-hans"}
    )
    assert response.json()[0]["name"] == "客户开发"


def test_an_account_manager_opens_an_opportunity_at_the_first_stage_with_its_probability(
    api_as, make_customer, stages, staff
):
    customer = make_customer()
    response = api_as("account_manager").post(
        API,
        {"name": "房贷", "customer_id": customer.pk, "amount": "1200000.00"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage_id"] == stages["information"].pk
    assert body["probability"] == 10
    assert body["owner_id"] == staff["account_manager"].pk
    assert body["branch_id"] == customer.branch_id
    assert Decimal(body["weighted_amount"]) == Decimal("120000.00")
    opportunity = Opportunity.objects.get(pk=body["id"])
    assert StageChange.objects.filter(opportunity=opportunity, from_stage=None).count() == 1
    assert AuditEntry.objects.filter(
        object_type="opportunity", object_id=str(opportunity.pk)
    ).exists()
    assert EventRecord.objects.filter(name="opportunity.created", record_id=opportunity.pk).exists()


def test_an_opportunity_for_a_customer_out_of_scope_is_refused_naming_the_customer(
    api_as, make_customer, org, staff, pipeline
):
    south = make_customer(branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)
    response = api_as("account_manager").post(
        API, {"name": "房贷", "customer_id": south.pk}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "customer_id"
    assert not Opportunity.objects.exists()


def test_moving_to_the_next_stage_takes_its_probability_and_records_history(
    api_as, make_opportunity, stages
):
    opportunity = make_opportunity()
    response = api_as("account_manager").post(
        f"{API}/{opportunity.pk}/stage",
        {"stage_id": stages["first_visit"].pk, "version": opportunity.version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["probability"] == 20
    assert response.json()["version"] == opportunity.version + 1
    assert StageChange.objects.filter(opportunity=opportunity).count() == 2


def test_a_stage_of_another_pipeline_is_refused_naming_the_stage(
    api_as, make_opportunity, pipeline
):
    from guanxi.sales.models import Pipeline, Stage

    other = Pipeline.objects.create(code="corporate", name_en="Corporate loans")
    foreign = Stage.objects.create(pipeline=other, code="a", order=1, name_en="A", probability=30)
    opportunity = make_opportunity()
    response = api_as("account_manager").post(
        f"{API}/{opportunity.pk}/stage",
        {"stage_id": foreign.pk, "version": opportunity.version},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "stage_id"
    opportunity.refresh_from_db()
    assert opportunity.stage.code == "information" and opportunity.version == 1


def test_a_stage_move_with_a_stale_version_is_a_conflict_and_changes_nothing(
    api_as, make_opportunity, stages
):
    opportunity = make_opportunity()
    client = api_as("account_manager")
    client.patch(
        f"{API}/{opportunity.pk}",
        {"next_step": "约见", "version": 1},
        content_type="application/json",
    )
    response = client.post(
        f"{API}/{opportunity.pk}/stage",
        {"stage_id": stages["first_visit"].pk, "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    opportunity.refresh_from_db()
    assert opportunity.stage.code == "information"
    assert StageChange.objects.filter(opportunity=opportunity).count() == 1


def test_a_move_without_a_version_is_refused_naming_the_version(api_as, make_opportunity, stages):
    opportunity = make_opportunity()
    response = api_as("account_manager").post(
        f"{API}/{opportunity.pk}/stage",
        {"stage_id": stages["first_visit"].pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "version"


def test_winning_closes_the_opportunity_at_full_probability(api_as, make_opportunity):
    opportunity = make_opportunity()
    response = api_as("account_manager").post(
        f"{API}/{opportunity.pk}/win", {"version": 1}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "won" and body["probability"] == 100 and body["closed_at"]
    assert body["next_stage_ids"] == []


def test_a_won_opportunity_cannot_move_again(api_as, make_opportunity, stages):
    opportunity = make_opportunity()
    client = api_as("account_manager")
    client.post(f"{API}/{opportunity.pk}/win", {"version": 1}, content_type="application/json")
    response = client.post(
        f"{API}/{opportunity.pk}/stage",
        {"stage_id": stages["proposal"].pk, "version": 2},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "stage_id"


def test_losing_needs_a_reason_from_the_list(api_as, make_opportunity):
    opportunity = make_opportunity()
    response = api_as("account_manager").post(
        f"{API}/{opportunity.pk}/lose",
        {"loss_reason": "bored", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "loss_reason"
    opportunity.refresh_from_db()
    assert opportunity.status == "open"


def test_losing_with_a_reason_keeps_it(api_as, make_opportunity):
    opportunity = make_opportunity()
    response = api_as("account_manager").post(
        f"{API}/{opportunity.pk}/lose",
        {"loss_reason": "competitor", "loss_note": "他行利率更低", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["loss_reason"] == "competitor"
    assert response.json()["status"] == "lost"


def test_a_lost_opportunity_can_be_reopened_and_forgets_its_loss_reason(
    api_as, make_opportunity, stages
):
    opportunity = make_opportunity()
    client = api_as("account_manager")
    client.post(f"{API}/{opportunity.pk}/lose", {"loss_reason": "timing", "version": 1},
                content_type="application/json")  # fmt: skip
    response = client.post(
        f"{API}/{opportunity.pk}/stage",
        {"stage_id": stages["relationship"].pk, "version": 2},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "open" and response.json()["loss_reason"] == ""


def test_moving_to_the_lost_stage_without_a_reason_is_refused(api_as, make_opportunity, stages):
    opportunity = make_opportunity()
    response = api_as("account_manager").post(
        f"{API}/{opportunity.pk}/stage",
        {"stage_id": stages["lost"].pk, "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "loss_reason"


def test_the_team_shares_must_add_up_to_one_hundred(api_as, make_opportunity, staff):
    opportunity = make_opportunity()
    members = [
        {"user_id": staff["account_manager"].pk, "share": "60"},
        {"user_id": staff["team_lead"].pk, "share": "30"},
    ]
    response = api_as("account_manager").put(
        f"{API}/{opportunity.pk}/team", {"members": members, "version": 1},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "members"
    assert not opportunity.team.exists()


def test_a_team_with_shares_adding_up_is_saved_and_bumps_the_version(
    api_as, make_opportunity, staff
):
    opportunity = make_opportunity()
    members = [
        {"user_id": staff["account_manager"].pk, "share": "70", "role": "主办"},
        {"user_id": staff["team_lead"].pk, "share": "30", "role": "协办"},
    ]
    response = api_as("account_manager").put(
        f"{API}/{opportunity.pk}/team", {"members": members, "version": 1},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert [m["name"] for m in response.json()["members"]] == ["李经理", "陈组长"]


def test_a_patch_changes_the_amount_and_next_step(api_as, make_opportunity):
    opportunity = make_opportunity()
    response = api_as("account_manager").patch(
        f"{API}/{opportunity.pk}",
        {"amount": "800000.00", "next_step": "递交方案", "next_step_due": "2027-01-10"},
        headers={"If-Match": "1"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "800000.00"
    assert response.json()["next_step_due"] == "2027-01-10"


def test_an_amount_beyond_what_is_kept_exactly_is_refused_naming_it(api_as, make_opportunity):
    opportunity = make_opportunity()
    response = api_as("account_manager").patch(
        f"{API}/{opportunity.pk}", {"amount": "1e20", "version": 1}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "amount"


def test_the_list_filters_by_status_and_stage(api_as, make_opportunity, stages):
    first = make_opportunity(name="甲")
    make_opportunity(name="乙", stage_id=stages["proposal"].pk)
    client = api_as("account_manager")
    found = client.get(API, {"stage_id": stages["information"].pk}).json()["results"]
    assert [o["id"] for o in found] == [first.pk]
    assert len(client.get(API, {"status": "open"}).json()["results"]) == 2


def test_an_account_manager_does_not_see_another_managers_opportunity(
    api_as, make_opportunity, make_customer, staff
):
    theirs = make_opportunity(make_customer(owner_id=staff["other_manager"].pk))
    client = api_as("account_manager")
    assert client.get(f"{API}/{theirs.pk}").status_code == 404
    assert client.get(API).json()["results"] == []
    assert api_as("branch_manager").get(f"{API}/{theirs.pk}").status_code == 200


def test_a_team_lead_sees_the_teams_opportunities_but_not_others(
    api_as, make_opportunity, make_customer, staff
):
    mine = make_opportunity()
    other = make_opportunity(make_customer(owner_id=staff["other_manager"].pk))
    client = api_as("team_lead")
    assert client.get(f"{API}/{mine.pk}").status_code == 200
    assert client.get(f"{API}/{other.pk}").status_code == 404
