"""Fixtures of the plans tests: customers in and out of the account manager's portfolio, a
week plan of theirs, and logging a done activity."""

import datetime as dt

import pytest

from guanxi import policy
from guanxi.activities import services as activities
from guanxi.activities.inputs import ActivityFields
from guanxi.audit.services import RequestContext
from guanxi.plans import services

CONTEXT = RequestContext(channel="test")
# A Wednesday; its week runs from Monday 2031-01-06 to Sunday 2031-01-12.
DAY = dt.date(2031, 1, 8)


@pytest.fixture
def mine(make_customer):
    """A customer of the account manager (north branch, north team)."""
    return make_customer("王客户")


@pytest.fixture
def colleagues(make_customer, staff):
    """A customer of another account manager of the north branch (not in the team)."""
    return make_customer("赵的客户", owner_id=staff["other_manager"].pk)


@pytest.fixture
def theirs(make_customer, org, staff):
    """A customer of the south branch's account manager."""
    return make_customer("南方客户", branch_id=org["south"].pk, owner_id=staff["south_manager"].pk)


@pytest.fixture
def viewer(staff):
    """The viewer of a role."""
    return lambda role="account_manager": policy.Viewer.of(staff[role])


@pytest.fixture
def week_plan(viewer):
    """The account manager's plan of the week of ``DAY``."""
    return services.plan_create(
        viewer=viewer(), period="week", day=DAY, context=CONTEXT, targets={"contacts": 5}
    )


@pytest.fixture
def log(staff):
    """Log a done (or, with status, open) activity on a customer at a moment."""

    def log_as(customer, kind="visit", at=None, role="account_manager", **fields):
        at = at or dt.datetime(2031, 1, 9, 10, tzinfo=dt.UTC)
        data = {"kind": kind, "subject": "拜访", "customer_id": customer.pk, "starts_at": at,
                **fields}  # fmt: skip
        return activities.activity_log(
            viewer=policy.Viewer.of(staff[role]),
            fields=ActivityFields.from_mapping(data),
            context=CONTEXT,
        )

    return log_as


@pytest.fixture
def add_item(viewer):
    """Plan a contact on a plan (as the account manager by default)."""

    def add(plan, customer, kind="visit", planned_on=DAY, role="account_manager", purpose=""):
        plan.refresh_from_db()
        return services.plan_item_add(
            viewer=viewer(role), plan_id=plan.pk, expected_version=plan.version,
            customer_id=customer.pk, kind=kind, planned_on=planned_on, purpose=purpose,
            context=CONTEXT,
        )  # fmt: skip

    return add
