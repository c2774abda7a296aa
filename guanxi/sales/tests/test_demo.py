"""Demo opportunities (``guanxi demo-data --opportunities N``) are valid records."""

from guanxi.sales.demo import load_demo_opportunities
from guanxi.sales.models import Opportunity, StageChange


def test_demo_opportunities_belong_to_owned_customers_with_their_branch(make_customer, pipeline):
    customers = {c.pk: c for c in (make_customer(f"客户{n}") for n in range(5))}
    assert load_demo_opportunities(40, seed=1, batch_size=15) == 40
    assert Opportunity.objects.count() == 40 == StageChange.objects.count()
    for o in Opportunity.objects.select_related("stage"):
        customer = customers[o.customer_id]
        assert (o.branch_id, o.owner_id) == (customer.branch_id, customer.owner_id)
        assert o.status == o.stage.kind and o.probability == o.stage.probability
        assert bool(o.loss_reason) == o.stage.is_lost
        assert (o.closed_at is not None) == (o.status != "open")


def test_no_demo_opportunities_without_owned_customers(pipeline):
    assert load_demo_opportunities(10) == 0
