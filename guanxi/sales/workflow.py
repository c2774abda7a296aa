"""The allowed stage moves of an opportunity: the one table services, pages and tests read.

Pipelines are data, so the table is written in stage kinds. An open opportunity may move to
any other stage of its pipeline (forward, back when the customer cools, or straight to won
or lost); a lost one may be reopened at an open stage; a won one is final.
"""

from guanxi.sales.models import Stage, StageKind

MOVES: dict[StageKind, frozenset[StageKind]] = {
    StageKind.OPEN: frozenset({StageKind.OPEN, StageKind.WON, StageKind.LOST}),
    StageKind.LOST: frozenset({StageKind.OPEN}),
    StageKind.WON: frozenset(),
}


def may_move(from_stage: Stage, to_stage: Stage) -> bool:
    """Whether an opportunity at ``from_stage`` may move to ``to_stage``."""
    return (
        from_stage.pipeline_id == to_stage.pipeline_id
        and from_stage.pk != to_stage.pk
        and to_stage.kind in MOVES[from_stage.kind]
    )


def next_stages(from_stage: Stage, stages: list[Stage]) -> list[Stage]:
    """The stages of ``stages`` an opportunity at ``from_stage`` may move to, in order."""
    return [stage for stage in stages if may_move(from_stage, stage)]


def is_final(stage: Stage) -> bool:
    """Whether nothing may follow the stage (a won opportunity)."""
    return not MOVES[stage.kind]
