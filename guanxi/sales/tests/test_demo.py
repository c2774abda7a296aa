"""Demo opportunities (``guanxi demo-data --opportunities N``) are valid records."""

from django.utils import timezone

from guanxi.sales.demo import load_demo_opportunities
from guanxi.sales.models import Opportunity


def test_demo_opportunities_belong_to_owned_customers_with_their_branch(make_customer, pipeline):
    customers = {c.pk: c for c in (make_customer(f"客户{n}") for n in range(5))}
    assert load_demo_opportunities(40, seed=1, batch_size=15) == 40
    assert Opportunity.objects.count() == 40
    for o in Opportunity.objects.select_related("stage"):
        customer = customers[o.customer_id]
        assert (o.branch_id, o.owner_id) == (customer.branch_id, customer.owner_id)
        assert o.status == o.stage.kind and o.probability == o.stage.probability
        assert bool(o.loss_reason) == o.stage.is_lost
        assert (o.closed_at is not None) == (o.status != "open")


def test_demo_opportunities_walked_the_open_stages_in_order_up_to_where_they_stand(
    make_customer, pipeline
):
    make_customer("客户")
    load_demo_opportunities(60, seed=2)
    open_stages = [s.pk for s in pipeline.stages.order_by("order") if s.kind == "open"]
    for o in Opportunity.objects.select_related("stage"):
        moves = list(o.stage_history.order_by("changed_at", "pk"))
        path = [m.to_stage_id for m in moves]
        assert path[-1] == o.stage_id and moves[0].from_stage_id is None
        walked = path if o.status == "open" else path[:-1]
        assert walked == open_stages[: len(walked)] and walked
        assert o.stage.is_lost or o.status == "open" or walked == open_stages
        assert [m.from_stage_id for m in moves[1:]] == path[:-1]
        assert moves[0].changed_at == o.created_at <= moves[-1].changed_at <= timezone.now()
        assert o.closed_at in (None, moves[-1].changed_at)


def test_no_demo_opportunities_without_owned_customers(pipeline):
    assert load_demo_opportunities(10) == 0
