"""An opportunity's stage history keeps, move by move, whether a later move led further and
when the stage a move leaves was entered (the process KPIs sum them)."""

from guanxi import policy
from guanxi.sales import services
from guanxi.sales.models import StageChange

from .conftest import CONTEXT


def _move(staff, opportunity, stage, **loss):
    opportunity.refresh_from_db()
    return services.opportunity_move_stage(
        viewer=policy.Viewer.of(staff["admin"]),
        opportunity_id=opportunity.pk,
        stage_id=stage.pk,
        expected_version=opportunity.version,
        context=CONTEXT,
        **loss,
    )


def _history(opportunity):
    return list(StageChange.objects.filter(opportunity=opportunity).order_by("changed_at", "id"))


def test_a_move_further_marks_the_moves_before_it_advanced(make_opportunity, stages, staff):
    opportunity = make_opportunity(stage_id=stages["information"].pk)
    _move(staff, opportunity, stages["first_visit"])
    _move(staff, opportunity, stages["needs_analysis"])

    assert [c.advanced for c in _history(opportunity)] == [True, True, False]


def test_a_loss_leaves_the_move_before_it_not_advanced(make_opportunity, stages, staff):
    opportunity = make_opportunity(stage_id=stages["information"].pk)
    _move(staff, opportunity, stages["first_visit"])
    _move(staff, opportunity, stages["lost"], loss_reason="price")

    assert [c.advanced for c in _history(opportunity)] == [True, False, False]


def test_a_move_keeps_when_the_stage_it_leaves_was_entered(make_opportunity, stages, staff):
    opportunity = make_opportunity(stage_id=stages["information"].pk)
    _move(staff, opportunity, stages["first_visit"])
    _move(staff, opportunity, stages["needs_analysis"])

    first, second, third = _history(opportunity)
    assert first.from_entered_at is None
    assert (second.from_entered_at, third.from_entered_at) == (first.changed_at, second.changed_at)


def test_a_move_keeps_the_owner_and_branch_the_opportunity_had_then(
    make_opportunity, stages, staff
):
    opportunity = make_opportunity(stage_id=stages["information"].pk)
    _move(staff, opportunity, stages["first_visit"])

    assert {(c.owner_id, c.branch_id) for c in _history(opportunity)} == {
        (opportunity.owner_id, opportunity.branch_id)
    }
