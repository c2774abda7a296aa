"""Pyramid migration between two runs, for the company and for one viewer's customers."""

import pytest
from django.urls import reverse

from guanxi.analytics.pyramid import LEVEL_NAMES
from guanxi.insights.migration import NOT_SCORED, level_migration, previous_run
from guanxi.insights.models import CustomerScore
from guanxi.web.tests.support import client_for

DASHBOARD = reverse("analytics:list")


@pytest.fixture
def book(make_customer, staff, org):
    """Two customers of the account manager and one in the south branch."""
    return {
        "own": make_customer("张三"),
        "own_too": make_customer("赵六"),
        "south": make_customer(
            "王五", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk
        ),
    }


@pytest.fixture
def two_runs(book, fabricated_run):
    """Everyone was B; now 张三 has slipped to inactive, and 王五 was not scored before."""
    before = fabricated_run([book["own"], book["own_too"]])
    now = fabricated_run(list(book.values()))
    CustomerScore.objects.filter(run=now, customer=book["own"]).update(pyramid_level="inactive")
    return before, now


def test_the_migration_counts_customers_by_level_before_and_now(two_runs):
    before, now = two_runs
    migration = level_migration(CustomerScore.objects.filter(run=now), before)
    assert migration["previous_run"] == before.pk
    assert migration["cells"] == [["B", "B", 1], ["B", "inactive", 1], [NOT_SCORED, "B", 1]]


def test_the_run_before_is_the_previous_finished_one(two_runs, fabricated_run, book):
    before, now = two_runs
    assert previous_run(now) == before and previous_run(before) is None


def test_the_dashboard_shows_the_company_migration_to_an_administrator(staff, two_runs):
    page = client_for(staff["admin"]).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en")
    rows = page.context["migration"]["rows"]
    assert [row["label"] for row in rows] == [LEVEL_NAMES["B"][0], "Not analysed before"]
    assert page.context["migration"]["columns"] == [LEVEL_NAMES["B"][0], LEVEL_NAMES["inactive"][0]]
    assert sum(cell["n"] for row in rows for cell in row["cells"]) == 3
    assert 'id="pyramid-migration"' in page.content.decode()


def test_an_account_manager_sees_the_migration_of_their_own_customers_only(staff, two_runs):
    page = client_for(staff["account_manager"]).get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en")
    rows = page.context["migration"]["rows"]
    assert sum(cell["n"] for row in rows for cell in row["cells"]) == 2
    assert all(row["label"] != "Not analysed before" for row in rows)


def test_with_one_run_the_dashboard_shows_no_migration(staff, book, fabricated_run):
    fabricated_run(list(book.values()))
    page = client_for(staff["admin"]).get(DASHBOARD)
    assert page.context["migration"] is None
    assert 'id="pyramid-migration"' not in page.content.decode()
