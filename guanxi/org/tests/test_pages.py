"""Staff pages: the list with portfolio counts, the handover with its preview, and
deactivation; in reach only, in a bounded number of queries."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guanxi.customers.models import Customer
from guanxi.org.models import PortfolioHandover

pytestmark = pytest.mark.usefixtures("in_english")


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_staff_page_lists_the_branch_with_what_each_holds(staff, make_portfolio):
    make_portfolio(2)
    page = client_as(staff["branch_manager"]).get("/staff/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-user="am"' in html and 'data-user="am3"' not in html
    assert f'href="/staff/{staff["account_manager"].pk}/handover/"' in html


def test_an_account_manager_may_not_open_the_staff_page(staff):
    assert client_as(staff["account_manager"]).get("/staff/").status_code == 403


def test_the_staff_entry_shows_only_to_roles_that_may_hand_over(staff):
    assert 'href="/staff/"' in client_as(staff["team_lead"]).get("/staff/").content.decode()
    home = client_as(staff["account_manager"]).get("/customers/").content.decode()
    assert 'href="/staff/"' not in home


def test_the_preview_says_what_would_move(staff, receiver, make_portfolio):
    make_portfolio(2)
    url = f"/staff/{staff['account_manager'].pk}/handover/"
    preview = client_as(staff["admin"]).get(
        url, {"to_user_id": receiver.pk}, headers={"HX-Request": "true"}
    )
    html = preview.content.decode()
    assert preview.status_code == 200 and "<html" not in html
    assert 'id="preview-plan"' in html and "2 customers" in html
    assert not PortfolioHandover.objects.exists()


def test_the_preview_says_why_a_receiver_is_refused(staff, make_portfolio):
    make_portfolio(1)
    url = f"/staff/{staff['account_manager'].pk}/handover/"
    preview = client_as(staff["admin"]).get(
        url, {"to_user_id": staff["south_manager"].pk}, headers={"HX-Request": "true"}
    )
    assert 'id="preview-errors"' in preview.content.decode()


def test_confirming_hands_the_portfolio_over(staff, receiver, make_portfolio):
    make_portfolio(2)
    url = f"/staff/{staff['account_manager'].pk}/handover/"
    response = client_as(staff["branch_manager"]).post(
        url, {"to_user_id": receiver.pk, "reason": "调岗"}
    )
    assert response.status_code == 302
    assert set(Customer.objects.values_list("owner_id", flat=True)) == {receiver.pk}


def test_a_refused_confirmation_shows_why_and_moves_nothing(staff, receiver, make_portfolio):
    make_portfolio(1)
    url = f"/staff/{staff['account_manager'].pk}/handover/"
    response = client_as(staff["admin"]).post(url, {"to_user_id": receiver.pk, "reason": ""})
    assert response.status_code == 422
    assert 'id="handover-errors"' in response.content.decode()
    assert not PortfolioHandover.objects.exists()


def test_the_handover_page_of_someone_out_of_reach_is_a_404(staff):
    url = f"/staff/{staff['south_manager'].pk}/handover/"
    assert client_as(staff["branch_manager"]).get(url).status_code == 404


def test_deactivating_from_the_page_is_refused_while_records_remain(staff, make_portfolio):
    make_portfolio(1)
    client = client_as(staff["admin"])
    response = client.post(f"/staff/{staff['account_manager'].pk}/deactivate/", follow=True)
    assert "1 customer" in response.content.decode()
    staff["account_manager"].refresh_from_db()
    assert staff["account_manager"].is_active


def test_deactivating_from_the_page(staff):
    client_as(staff["admin"]).post(f"/staff/{staff['other_manager'].pk}/deactivate/")
    staff["other_manager"].refresh_from_db()
    assert not staff["other_manager"].is_active


def staff_page_queries(user) -> int:
    client = client_as(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/staff/").status_code == 200
    return len(queries)


def test_the_staff_page_queries_do_not_grow_with_staff_or_portfolios(
    staff, receiver, make_portfolio
):
    before = staff_page_queries(staff["admin"])
    make_portfolio(3)
    assert staff_page_queries(staff["admin"]) == before
