"""Demo plans (``guanxi demo-data``, unless ``--no-plans``) are valid plans."""

from django.utils import timezone

from guanxi.plans.demo import generate_plans
from guanxi.plans.models import Plan, PlanItem


def test_every_account_manager_with_customers_gets_this_weeks_and_months_plan(staff, make_customer):
    make_customer("王客户", value_tier="platinum")
    make_customer("南方客户", owner_id=staff["south_manager"].pk, branch_id=staff[
        "south_manager"].profile.branch_id)  # fmt: skip
    assert generate_plans(seed=1) == 4
    today = timezone.localdate()
    for plan in Plan.objects.select_related("owner__profile"):
        assert plan.starts_on <= today <= plan.ends_on
        assert plan.branch_id == plan.owner.profile.branch_id
        assert plan.targets.exists()
    for item in PlanItem.objects.select_related("plan", "customer"):
        assert item.customer.owner_id == item.plan.owner_id
        assert item.plan.starts_on <= item.planned_on <= item.plan.ends_on


def test_no_demo_plans_without_customers(staff):
    assert generate_plans() == 0
