"""The staff API: a colleague's portfolio, its handover and the deactivation guard."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.models import Customer
from guanxi.org.models import PortfolioHandover

S = "/api/v1/staff"

pytestmark = pytest.mark.usefixtures("in_english")


def test_the_portfolio_counts_what_a_handover_would_move(staff, api_as, make_portfolio):
    make_portfolio(2)
    response = api_as("branch_manager").get(f"{S}/{staff['account_manager'].pk}/portfolio")
    assert response.status_code == 200
    assert response.json()["counts"] == {
        "customers": 2, "leads": 2, "opportunities": 2, "opportunity_teams": 2, "activities": 2,
    }  # fmt: skip


def test_a_colleague_of_another_branch_reads_as_missing(staff, api_as):
    response = api_as("branch_manager").get(f"{S}/{staff['south_manager'].pk}/portfolio")
    assert response.status_code == 404


def test_the_staff_list_shows_the_branch_with_portfolio_counts(staff, api_as, make_portfolio):
    make_portfolio(1)
    rows = {r["username"]: r for r in api_as("branch_manager").get(S).json()}
    assert rows["am"]["total"] == 5 and "am3" not in rows


def test_an_account_manager_may_not_list_portfolios(api_as):
    assert api_as("account_manager").get(S).json() == []


def test_a_handover_moves_the_portfolio(staff, receiver, api_as, make_portfolio):
    make_portfolio(2)
    response = api_as("branch_manager").post(
        f"{S}/{staff['account_manager'].pk}/handover",
        {"to_user_id": receiver.pk, "reason": "调岗"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["counts"]["customers"] == 2
    assert set(Customer.objects.values_list("owner_id", flat=True)) == {receiver.pk}


def test_a_handover_to_an_inactive_user_is_a_422_naming_the_receiver(
    staff, receiver, api_as, make_portfolio
):
    make_portfolio(1)
    receiver.is_active = False
    receiver.save()
    response = api_as("admin").post(
        f"{S}/{staff['account_manager'].pk}/handover",
        {"to_user_id": receiver.pk, "reason": "调岗"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["to_user_id"]
    assert not PortfolioHandover.objects.exists()
    assert set(Customer.objects.values_list("owner_id", flat=True)) == {staff["account_manager"].pk}


def test_a_handover_to_another_branch_names_the_kinds_receiver(
    staff, receiver, api_as, make_portfolio
):
    make_portfolio(1)
    response = api_as("admin").post(
        f"{S}/{staff['account_manager'].pk}/handover",
        {
            "to_user_id": receiver.pk,
            "targets": {"customers": staff["south_manager"].pk},
            "reason": "调岗",
        },  # fmt: skip
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["targets.customers"]
    assert not PortfolioHandover.objects.exists()


def test_a_handover_of_someone_out_of_reach_is_a_404(staff, api_as):
    response = api_as("branch_manager").post(
        f"{S}/{staff['south_manager'].pk}/handover",
        {"to_user_id": staff["account_manager"].pk, "reason": "调岗"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_deactivating_someone_who_holds_records_is_a_409_with_the_counts(
    staff, api_as, make_portfolio
):
    make_portfolio(1)
    response = api_as("admin").post(f"{S}/{staff['account_manager'].pk}/deactivate")
    assert response.status_code == 409
    body = response.json()
    assert body["portfolio"] == {"customers": 1, "leads": 1, "opportunities": 1, "activities": 1}
    assert body["detail"][0]["field"] == "portfolio"
    staff["account_manager"].refresh_from_db()
    assert staff["account_manager"].is_active


def test_deactivating_a_colleague_without_records_revokes_their_access(staff, api_as):
    am2 = api_as("other_manager")
    assert am2.get("/api/v1/org/me").status_code == 200
    response = api_as("admin").post(f"{S}/{staff['other_manager'].pk}/deactivate")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert am2.get("/api/v1/org/me").status_code == 401


def test_a_branch_manager_may_not_deactivate(staff, api_as):
    response = api_as("branch_manager").post(f"{S}/{staff['other_manager'].pk}/deactivate")
    assert response.status_code == 403


def test_the_staff_list_queries_do_not_grow_with_the_portfolios(staff, api_as, make_portfolio):
    client = api_as("admin")
    client.get(S)  # the token is remembered after the first request

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(S).status_code == 200
        return len(captured)

    before = queries()
    make_portfolio(3)
    assert queries() == before
