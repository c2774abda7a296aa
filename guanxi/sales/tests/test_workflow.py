"""The stage-move table: what the services enforce is what the table says."""

import pytest

from guanxi.sales import workflow
from guanxi.sales.models import StageKind


def test_a_won_opportunity_is_final():
    assert workflow.MOVES[StageKind.WON] == frozenset()


def test_a_lost_opportunity_can_only_be_reopened():
    assert workflow.MOVES[StageKind.LOST] == {StageKind.OPEN}


@pytest.mark.parametrize("origin", ["information", "proposal", "won", "lost"])
def test_next_stages_are_exactly_the_table_s_moves_within_the_pipeline(stages, origin):
    offered = workflow.next_stages(stages[origin], list(stages.values()))
    expected = [
        s
        for s in stages.values()
        if s.pk != stages[origin].pk and s.kind in workflow.MOVES[stages[origin].kind]
    ]
    assert offered == expected


def test_every_move_the_table_refuses_is_refused_by_the_service(api_as, make_opportunity, stages):
    """A won opportunity offers no move, and each attempted one is a 422 naming the stage."""
    opportunity = make_opportunity()
    client = api_as("account_manager")
    client.post(f"/api/v1/opportunities/{opportunity.pk}/win", {"version": 1},
                content_type="application/json")  # fmt: skip
    for stage in stages.values():
        response = client.post(
            f"/api/v1/opportunities/{opportunity.pk}/stage",
            {"stage_id": stage.pk, "version": 2, "loss_reason": "price"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "stage_id"


def test_opportunities_follow_their_customer_to_another_branch(
    staff, org, make_opportunity, pipeline
):
    from guanxi import policy
    from guanxi.audit.services import RequestContext
    from guanxi.core.events.dispatch import dispatch_pending
    from guanxi.customers import services as customer_services

    opportunity = make_opportunity()
    customer = opportunity.customer
    customer_services.customer_transfer(
        viewer=policy.Viewer.of(staff["admin"]),
        customer_id=customer.pk,
        branch_id=org["south"].pk,
        owner_id=staff["south_manager"].pk,
        reason="客户迁居上海",
        expected_version=customer.version,
        context=RequestContext(channel="test"),
    )
    dispatch_pending()
    opportunity.refresh_from_db()
    assert opportunity.branch_id == org["south"].pk
