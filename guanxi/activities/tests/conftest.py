"""Fixtures of the activities tests: customers of the account manager and of another branch,
and leads (the lead tests' ``make_lead``)."""

import pytest

from guanxi import policy
from guanxi.activities import services
from guanxi.activities.inputs import ActivityFields
from guanxi.audit.services import RequestContext
from guanxi.leads.tests.conftest import make_lead  # noqa: F401 (the lead tests' fixture)

CONTEXT = RequestContext(channel="test")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded files go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mine(make_customer):
    """A customer of the account manager (north branch, north team)."""
    return make_customer("王客户")


@pytest.fixture
def theirs(make_customer, org, staff):
    """A customer of the south branch's account manager."""
    return make_customer("南方客户", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)


@pytest.fixture
def log(staff):
    """Log an activity as a role (the account manager by default)."""

    def log_as(customer, role: str = "account_manager", **fields):
        about = {} if customer is None else {"customer_id": customer.pk}
        data = {"kind": "call", "subject": "季度回访", **about, **fields}
        return services.activity_log(
            viewer=policy.Viewer.of(staff[role]),
            fields=ActivityFields.from_mapping(data),
            context=CONTEXT,
        )

    return log_as


@pytest.fixture
def log_on_lead(log):
    """Log an activity about a lead as a role (the account manager by default)."""

    def log_as(lead, role: str = "account_manager", **fields):
        return log(None, role, **{"lead_id": lead.pk, "subject": "首次电话"} | fields)

    return log_as
