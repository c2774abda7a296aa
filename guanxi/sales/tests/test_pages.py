"""The sales pages: list, board, detail, create/edit, stage moves, forecast, 360 panel."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi import policy
from guanxi.audit.services import RequestContext
from guanxi.sales import services
from guanxi.sales.models import Opportunity
from guanxi.web.tests.support import client_for


@pytest.fixture
def page_as(staff):
    return lambda role: client_for(staff[role])


def test_the_list_shows_the_account_managers_open_opportunities(page_as, make_opportunity):
    opportunity = make_opportunity(name="企业年金")
    response = page_as("account_manager").get("/sales/")
    assert response.status_code == 200
    assert "企业年金" in response.content.decode()
    assert f"/sales/{opportunity.pk}/" in response.content.decode()


def test_the_board_has_a_column_per_stage_and_the_card_in_its_stage(
    page_as, make_opportunity, stages
):
    opportunity = make_opportunity()
    html = page_as("account_manager").get("/sales/board/").content.decode()
    for stage in stages.values():
        assert f'data-stage-id="{stage.pk}"' in html
    assert f'id="card-{opportunity.pk}"' in html
    assert 'id="board-moves"' in html
    assert "<script>" not in html  # no inline script: the CSP forbids it


def test_a_board_card_escapes_the_name_it_shows(page_as, make_opportunity):
    opportunity = make_opportunity(name='<img src=x onerror="alert(1)">年金')
    html = page_as("account_manager").get("/sales/board/").content.decode()
    card = html[html.index(f'id="card-{opportunity.pk}"') :]
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;年金" in card
    assert "<img src=x" not in html
    assert f'href="/sales/{opportunity.pk}/"' in card


def test_a_won_card_is_not_draggable(page_as, make_opportunity, staff):
    opened = make_opportunity()
    won = services.opportunity_win(
        viewer=policy.Viewer.of(staff["admin"]),
        opportunity_id=opened.pk,
        expected_version=opened.version,
        context=RequestContext(channel="test"),
    )
    html = page_as("account_manager").get("/sales/board/").content.decode()
    article = html[html.rindex("<article", 0, html.index(f'id="card-{won.pk}"')) :]
    assert "draggable" not in article[: article.index(">")]


def test_the_board_is_in_chinese_for_a_chinese_user(page_as, pipeline):
    html = page_as("account_manager").get("/sales/board/", headers={"Accept-Language": "zh-hans"})
    assert "需求分析与方案设计" in html.content.decode()


def queries_of(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# Every page reads the session, the user and the profile first.
LOGIN = 3


def test_the_hot_pages_take_a_fixed_number_of_queries(page_as, make_opportunity):
    opportunity = make_opportunity()
    client = page_as("account_manager")
    # pipelines and their stages; the cards' ids, then the cards; each column's count and
    # amount
    assert queries_of(client, "/sales/board/") == LOGIN + 5
    assert queries_of(client, "/sales/") == LOGIN + 1  # one page of rows, with their names
    assert queries_of(client, "/sales/forecast/") == LOGIN + 1  # one grouped query
    # the opportunity with its names, its activities, the pipeline's stages, the team, the
    # stage history (no activity yet: no read to audit)
    assert queries_of(client, f"/sales/{opportunity.pk}/") == LOGIN + 5


def test_the_board_takes_the_same_number_of_queries_for_more_opportunities(
    page_as, make_opportunity, stages
):
    client = page_as("account_manager")
    make_opportunity()
    client.get("/sales/board/")
    with CaptureQueriesContext(connection) as few:
        client.get("/sales/board/")
    for stage in ("first_visit", "proposal", "proposal"):
        make_opportunity(stage_id=stages[stage].pk)
    with CaptureQueriesContext(connection) as many:
        client.get("/sales/board/")
    assert len(few) == len(many)


def test_a_board_move_posts_the_version_and_answers_with_the_new_one(
    page_as, make_opportunity, stages
):
    opportunity = make_opportunity()
    response = page_as("account_manager").post(
        f"/sales/{opportunity.pk}/stage/",
        {"stage_id": stages["needs_analysis"].pk, "version": 1},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    opportunity.refresh_from_db()
    assert opportunity.stage.code == "needs_analysis"


def test_a_stale_board_move_answers_409_with_a_message_and_changes_nothing(
    page_as, make_opportunity, stages
):
    opportunity = make_opportunity()
    client = page_as("account_manager")
    client.post(
        f"/sales/{opportunity.pk}/stage/", {"stage_id": stages["first_visit"].pk, "version": 1}
    )
    response = client.post(
        f"/sales/{opportunity.pk}/stage/",
        {"stage_id": stages["proposal"].pk, "version": 1},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 409
    assert response.json()["message"]
    opportunity.refresh_from_db()
    assert opportunity.stage.code == "first_visit"


def test_an_analyst_may_read_but_not_move_an_opportunity(page_as, make_opportunity, stages):
    opportunity = make_opportunity()
    client = page_as("analyst")
    assert client.get(f"/sales/{opportunity.pk}/").status_code == 200
    response = client.post(
        f"/sales/{opportunity.pk}/stage/", {"stage_id": stages["first_visit"].pk, "version": 1}
    )
    assert response.status_code == 403
    opportunity.refresh_from_db()
    assert opportunity.version == 1


def test_creating_from_the_page_opens_the_opportunity(page_as, make_customer, pipeline):
    customer = make_customer()
    response = page_as("account_manager").post(
        "/sales/new/",
        {
            "customer_id": customer.pk,
            "name": "信用卡分期",
            "amount": "30000",
            "pipeline_id": pipeline.pk,
        },
    )
    assert response.status_code == 302
    opportunity = Opportunity.objects.get()
    assert response["Location"] == f"/sales/{opportunity.pk}/"
    assert opportunity.stage.code == "information"


def test_creating_for_an_unknown_customer_shows_the_error_on_the_field(page_as, pipeline):
    response = page_as("account_manager").post(
        "/sales/new/", {"customer_id": 999999, "name": "x", "amount": "1"}
    )
    assert response.status_code == 200
    assert 'id="id_customer_id-errors"' in response.content.decode()
    assert not Opportunity.objects.exists()


def test_an_edit_based_on_a_stale_version_says_so_and_saves_nothing(page_as, make_opportunity):
    opportunity = make_opportunity()
    Opportunity.objects.filter(pk=opportunity.pk).update(version=2)
    response = page_as("account_manager").post(
        f"/sales/{opportunity.pk}/edit/",
        {"name": "新名字", "amount": "1", "owner_id": opportunity.owner_id, "version": 1},
    )
    assert response.status_code == 200
    assert "data-form-error" in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.name != "新名字"


def test_losing_from_the_detail_page_needs_a_reason(page_as, make_opportunity):
    opportunity = make_opportunity()
    client = page_as("account_manager")
    refused = client.post(f"/sales/{opportunity.pk}/lose/", {"version": 1, "loss_reason": ""})
    assert refused.status_code == 422
    response = client.post(f"/sales/{opportunity.pk}/lose/", {"version": 1, "loss_reason": "price"})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == "lost" and opportunity.loss_reason == "price"


def test_the_forecast_page_shows_the_weighted_total(page_as, make_opportunity):
    from datetime import date
    from decimal import Decimal

    make_opportunity(amount=Decimal("100000.00"), expected_close_date=date(2027, 3, 1))
    response = page_as("account_manager").get("/sales/forecast/", {"by": "month"})
    assert response.status_code == 200
    assert "2027-03" in response.content.decode()


def test_the_customer_360_lists_the_customers_open_opportunities(page_as, make_opportunity):
    opportunity = make_opportunity(name="大额存单")
    html = page_as("account_manager").get(f"/customers/{opportunity.customer_id}/").content.decode()
    assert 'id="opportunities-panel"' in html and "大额存单" in html


def test_the_360_has_no_opportunities_panel_for_a_role_that_cannot_read_them(
    page_as, make_opportunity
):
    opportunity = make_opportunity()
    html = page_as("marketer").get(f"/customers/{opportunity.customer_id}/").content.decode()
    assert 'id="opportunities-panel"' not in html


def test_the_navigation_offers_sales_only_to_roles_that_read_opportunities(page_as, pipeline):
    assert 'href="/sales/"' in page_as("account_manager").get("/customers/").content.decode()
    assert 'href="/sales/"' not in page_as("marketer").get("/customers/").content.decode()


def test_the_team_page_saves_shares_adding_up_to_one_hundred(page_as, make_opportunity, staff):
    opportunity = make_opportunity()
    client = page_as("account_manager")
    assert client.get(f"/sales/{opportunity.pk}/team/").status_code == 200
    response = client.post(
        f"/sales/{opportunity.pk}/team/",
        {"version": 1, "user_0": staff["account_manager"].pk, "share_0": "60",
         "user_1": staff["team_lead"].pk, "share_1": "40", "role_1": "协办"},
    )  # fmt: skip
    assert response.status_code == 302
    assert sorted(opportunity.team.values_list("share", flat=True)) == [40, 60]


def test_the_team_page_refuses_shares_not_adding_up_and_saves_nothing(
    page_as, make_opportunity, staff
):
    opportunity = make_opportunity()
    response = page_as("account_manager").post(
        f"/sales/{opportunity.pk}/team/",
        {"version": 1, "user_0": staff["account_manager"].pk, "share_0": "60"},
    )
    assert response.status_code == 200
    assert "data-form-error" in response.content.decode()
    assert not opportunity.team.exists()


def test_a_branch_manager_gives_the_opportunity_to_another_account_manager(
    page_as, make_opportunity, staff
):
    opportunity = make_opportunity()
    response = page_as("branch_manager").post(
        f"/sales/{opportunity.pk}/edit/",
        {"name": opportunity.name, "amount": "1", "owner_id": staff["other_manager"].pk,
         "version": 1},
    )  # fmt: skip
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.owner_id == staff["other_manager"].pk


def test_an_account_manager_cannot_give_the_opportunity_away(page_as, make_opportunity, staff):
    opportunity = make_opportunity()
    response = page_as("account_manager").post(
        f"/sales/{opportunity.pk}/edit/",
        {"name": opportunity.name, "amount": "1", "owner_id": staff["other_manager"].pk,
         "version": 1},
    )  # fmt: skip
    assert response.status_code == 200
    assert 'id="id_owner_id-errors"' in response.content.decode()
    opportunity.refresh_from_db()
    assert opportunity.owner_id == staff["account_manager"].pk
