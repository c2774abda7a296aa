"""Fixtures of the handover tests: an account manager's portfolio of every kind, and a
colleague of the same team to receive it."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from guanxi import policy
from guanxi.activities import services as activities
from guanxi.activities.inputs import ActivityFields
from guanxi.audit.services import RequestContext
from guanxi.conftest import PASSWORD
from guanxi.leads import services as leads
from guanxi.leads.inputs import LeadFields
from guanxi.org.roles import Role
from guanxi.org.services import create_staff
from guanxi.sales import services as sales
from guanxi.sales.defaults import ensure_default_pipeline
from guanxi.sales.inputs import OpportunityFields, TeamMember
from guanxi.sales.models import Pipeline, Stage

CONTEXT = RequestContext(channel="test")


@pytest.fixture
def in_english(settings):
    """Messages are asserted in English (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def receiver(staff, org):
    """A second account manager of the north team, who takes the portfolio over."""
    return create_staff(
        "am4", PASSWORD, [Role.ACCOUNT_MANAGER], org["north"], org["north_team"], "周经理"
    )


@pytest.fixture
def make_portfolio(staff, org, make_customer) -> Callable[..., dict]:
    """Give the account manager ``size`` customers, each with a lead, an open opportunity
    (the account manager and the team lead on its team) and an open task; plus one finished
    record of each kind, which stays."""
    ensure_default_pipeline(Pipeline, Stage)
    admin = policy.Viewer.of(staff["admin"])
    owner = staff["account_manager"]
    viewer = policy.Viewer.of(owner)

    def make(size: int = 2, start: int = 0) -> dict:
        made: dict[str, list] = {"customers": [], "leads": [], "opportunities": [], "tasks": []}
        for n in range(start, start + size):
            customer = make_customer(f"客户{n}", phone=f"1381234{n:04d}")
            made["customers"].append(customer)
            made["leads"].append(
                leads.lead_create(
                    viewer=viewer,
                    fields=LeadFields.from_mapping(
                        {
                            "name": f"线索{n}",
                            "source": "walk_in",
                            "phone": f"1390000{n:04d}",
                            "branch_id": org["north"].pk,
                        }  # fmt: skip
                    ),
                    context=CONTEXT,
                )
            )
            opportunity = sales.opportunity_create(
                viewer=admin,
                fields=OpportunityFields.from_mapping(
                    {
                        "name": f"机会{n}",
                        "customer_id": customer.pk,
                        "amount": Decimal("1000"),
                        "owner_id": owner.pk,
                    }  # fmt: skip
                ),
                context=CONTEXT,
            )
            members = [
                TeamMember(user_id=owner.pk, share=Decimal("60"), role=""),
                TeamMember(user_id=staff["team_lead"].pk, share=Decimal("40"), role=""),
            ]
            sales.opportunity_set_team(
                viewer=admin, opportunity_id=opportunity.pk, members=members,
                expected_version=opportunity.version, context=CONTEXT,
            )  # fmt: skip
            opportunity.refresh_from_db()
            made["opportunities"].append(opportunity)
            made["tasks"].append(
                activities.activity_log(
                    viewer=viewer,
                    fields=ActivityFields.from_mapping(
                        {
                            "kind": "task",
                            "subject": f"回访{n}",
                            "customer_id": customer.pk,
                            "status": "open",
                            "due_on": timezone.localdate() + dt.timedelta(days=3),
                        }
                    ),  # fmt: skip
                    context=CONTEXT,
                )
            )
        made["done_call"] = activities.activity_log(
            viewer=viewer,
            fields=ActivityFields.from_mapping(
                {"kind": "call", "subject": "已完成", "customer_id": made["customers"][0].pk}
            ),
            context=CONTEXT,
        )
        return made

    return make
