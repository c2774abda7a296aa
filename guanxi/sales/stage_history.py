"""An opportunity's stage history written at once, for paths walked outside the services
(demo data, test histories): each move with what the moves keep as they are made
(``StageChange.advanced`` and ``from_entered_at``, see ``guanxi.sales.services``)."""

from datetime import datetime

from guanxi.sales.models import Opportunity, Stage, StageChange


def walked(
    opportunity: Opportunity, path: list[tuple[Stage, datetime]], by: int | None
) -> list[StageChange]:
    """The unsaved moves of a saved ``opportunity`` through ``path`` ((stage, when), in
    order), made by the user ``by`` for its owner and branch: the first from no stage; each
    advanced when a later stage further along is not lost."""
    return [
        StageChange(
            opportunity_id=opportunity.pk,
            owner_id=opportunity.owner_id,
            branch_id=opportunity.branch_id,
            from_stage=path[step - 1][0] if step else None,
            to_stage=to,
            changed_at=when,
            changed_by_id=by,
            advanced=any(
                not later.is_lost and later.order > to.order for later, _at in path[step + 1 :]
            ),
            from_entered_at=path[step - 1][1] if step else None,
        )
        for step, (to, when) in enumerate(path)
    ]
