"""The weighted forecast: amount times probability, grouped, within the viewer's scope."""

from datetime import date
from decimal import Decimal

from guanxi import policy
from guanxi.sales.forecast import forecast_for_user


def test_the_forecast_by_month_weights_each_amount_by_its_probability(
    staff, make_opportunity, stages
):
    make_opportunity(amount=Decimal("100000.00"), expected_close_date=date(2027, 1, 15))
    make_opportunity(
        amount=Decimal("50000.00"),
        expected_close_date=date(2027, 1, 20),
        stage_id=stages["proposal"].pk,
    )
    make_opportunity(amount=Decimal("10000.00"), expected_close_date=date(2027, 2, 1))
    result = forecast_for_user(viewer=policy.Viewer.of(staff["account_manager"]), by="month")
    assert [(r.key, r.count, r.weighted) for r in result.rows] == [
        ("2027-01", 2, Decimal("50000.00")),  # 100000 × 10% + 50000 × 80%
        ("2027-02", 1, Decimal("1000.00")),
    ]
    assert result.weighted == Decimal("51000.00")


def test_closed_opportunities_are_left_out_of_the_forecast(api_as, staff, make_opportunity):
    won = make_opportunity(amount=Decimal("100000.00"))
    api_as("account_manager").post(
        f"/api/v1/opportunities/{won.pk}/win", {"version": 1}, content_type="application/json"
    )
    result = forecast_for_user(viewer=policy.Viewer.of(staff["account_manager"]), by="owner")
    assert result.rows == []


def test_the_forecast_by_owner_counts_only_the_viewer_s_scope(
    staff, make_opportunity, make_customer
):
    make_opportunity(amount=Decimal("1000.00"))
    make_opportunity(make_customer(owner_id=staff["other_manager"].pk), amount=Decimal("2000.00"))
    mine = forecast_for_user(viewer=policy.Viewer.of(staff["account_manager"]), by="owner")
    branch = forecast_for_user(viewer=policy.Viewer.of(staff["branch_manager"]), by="owner")
    assert [r.label for r in mine.rows] == ["李经理"]
    assert sorted(r.label for r in branch.rows) == ["李经理", "赵经理"]


def test_the_forecast_by_team_and_by_branch_name_them(staff, make_opportunity):
    make_opportunity(amount=Decimal("1000.00"))
    viewer = policy.Viewer.of(staff["admin"])
    assert [r.label for r in forecast_for_user(viewer=viewer, by="team").rows] == ["财富一组"]
    assert [r.label for r in forecast_for_user(viewer=viewer, by="branch").rows] == ["北京分行"]


def test_the_forecast_api_refuses_an_unknown_grouping_naming_it(api_as, pipeline):
    response = api_as("account_manager").get("/api/v1/opportunities/forecast", {"by": "year"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "by"
