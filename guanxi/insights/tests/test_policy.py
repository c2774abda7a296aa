"""Who may run the analysis and who may see the dashboard."""

import pytest

from guanxi import policy

pytestmark = pytest.mark.django_db

RUNNERS = {"admin", "analyst"}
VIEWERS = RUNNERS | {"marketer", "branch_manager", "account_manager"}


@pytest.mark.parametrize("role", ["admin", "analyst", "marketer", "branch_manager",
                                  "account_manager", "service_agent", "auditor"])  # fmt: skip
def test_roles(staff, role):
    viewer = policy.Viewer.of(staff[role])

    assert policy.allows(viewer, "analysis.run") == (role in RUNNERS)
    assert policy.allows(viewer, "analytics.view") == (role in VIEWERS)


def test_company_wide_figures_follow_the_record_scope(staff):
    assert policy.sees_all_customers(policy.Viewer.of(staff["marketer"]))
    assert not policy.sees_all_customers(policy.Viewer.of(staff["branch_manager"]))
    assert not policy.sees_all_customers(policy.Viewer.of(staff["account_manager"]))
