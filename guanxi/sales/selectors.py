"""Reads of pipelines and opportunities, always through the policy's record scope.

An opportunity out of the viewer's scope reads as missing (``Opportunity.DoesNotExist``,
a 404), the same as one that does not exist.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum

from guanxi import policy
from guanxi.org.models import Profile
from guanxi.sales.defaults import ensure_default_pipeline
from guanxi.sales.models import Opportunity, Pipeline, Stage, StageChange, StageKind

# A board column shows this many cards; the rest are counted.
BOARD_COLUMN_LIMIT = 50
CARD_FIELDS = ("name", "stage_id", "status", "amount", "expected_close_date", "version", "customer")
LIST_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# Filters an opportunity list takes, and the column each compares.
FILTERS = {
    "pipeline_id": "pipeline_id",
    "stage_id": "stage_id",
    "status": "status",
    "owner_id": "owner_id",
    "customer_id": "customer_id",
    "branch_id": "branch_id",
    "product_id": "product_id",
    "close_from": "expected_close_date__gte",
    "close_to": "expected_close_date__lte",
    "next_step_due_before": "next_step_due__lte",
}


def _opportunities() -> QuerySet[Opportunity]:
    return Opportunity.objects.select_related(
        "customer", "stage", "pipeline", "owner__profile", "product"
    )


def opportunities_in_scope(viewer: policy.Viewer, action: str = "opportunity.view") -> QuerySet:
    """The opportunities the viewer may do ``action`` to (none if their roles may not)."""
    if not policy.allows(viewer, action):
        return Opportunity.objects.none()
    return policy.scoped(viewer, Opportunity.objects.all(), action)


def opportunity_get_for_user(*, viewer: policy.Viewer, opportunity_id: int) -> Opportunity:
    """One opportunity the viewer may see: a role that may not read opportunities is
    refused (403); one out of scope reads as missing (404)."""
    policy.require(viewer, "opportunity.view")
    return policy.scoped(viewer, _opportunities(), "opportunity.view").get(pk=opportunity_id)


def opportunity_get_editable_for_user(*, viewer: policy.Viewer, opportunity_id: int) -> Opportunity:
    """An opportunity the viewer may change: out of scope reads as missing, in scope but not
    editable (an analyst) is forbidden."""
    opportunity = opportunity_get_for_user(viewer=viewer, opportunity_id=opportunity_id)
    policy.require(viewer, "opportunity.edit", opportunity)
    return opportunity


@dataclass(frozen=True)
class OpportunityPage:
    """A page of an opportunity list."""

    rows: list[Opportunity]
    page: int
    page_size: int
    has_next: bool


def opportunity_list_for_user(
    *,
    viewer: policy.Viewer,
    filters: dict,
    q: str = "",
    page: int = 1,
    page_size: int = LIST_PAGE_SIZE,
) -> OpportunityPage:
    """The viewer's opportunities matching ``filters`` (keys of ``FILTERS``), soonest expected
    close first; ``q`` finds a name or customer name containing it."""
    policy.require(viewer, "opportunity.view")
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    found = policy.scoped(viewer, _opportunities(), "opportunity.view").filter(
        **{FILTERS[k]: v for k, v in filters.items() if k in FILTERS and v not in (None, "")}
    )
    if q.strip():
        found = found.filter(Q(name__icontains=q.strip()) | Q(customer__name__icontains=q.strip()))
    start = (page - 1) * page_size
    rows = list(
        found.order_by(F("expected_close_date").asc(nulls_last=True), "-id")[
            start : start + page_size + 1
        ]
    )
    return OpportunityPage(rows[:page_size], page, page_size, len(rows) > page_size)


def opportunity_stage_history(*, opportunity: Opportunity) -> list[StageChange]:
    """The opportunity's stage moves, newest first (read after the opportunity itself)."""
    return list(
        StageChange.objects.filter(opportunity=opportunity)
        .select_related("from_stage", "to_stage", "changed_by__profile")
        .order_by("-changed_at", "-id")
    )


def opportunity_team(*, opportunity: Opportunity) -> list:
    """The opportunity's team with their shares, largest share first."""
    return list(opportunity.team.select_related("user__profile").order_by("-share", "user_id"))


def pipeline_list_for_user(*, viewer: policy.Viewer) -> list[Pipeline]:
    """The active pipelines with their stages in order (two queries)."""
    policy.require(viewer, "pipeline.view")
    pipelines = list(Pipeline.objects.filter(active=True).prefetch_related("stages"))
    if not pipelines and not Pipeline.objects.exists():
        default_pipeline()  # made again after a flush
        pipelines = list(Pipeline.objects.filter(active=True).prefetch_related("stages"))
    return pipelines


def default_pipeline() -> Pipeline:
    """The default pipeline (the first active one when none is marked).

    Where there is no pipeline at all (a database flushed after its migrations, as
    ``demo-data --reset`` does), the default acquisition pipeline is made again.
    """
    pipeline = Pipeline.objects.filter(active=True).order_by("-is_default", "code").first()
    if pipeline is None and not Pipeline.objects.exists():
        pipeline = ensure_default_pipeline(Pipeline, Stage)
    if pipeline is None:
        raise Pipeline.DoesNotExist
    return pipeline


@dataclass
class Column:
    """One stage of the board with its cards (at most ``BOARD_COLUMN_LIMIT``) and totals."""

    stage: Stage
    cards: list[Opportunity]
    count: int = 0
    amount: object = 0


def board_for_user(
    *,
    viewer: policy.Viewer,
    pipeline: Pipeline,
    owner_id: int | None = None,
    closed_since: datetime | None = None,
) -> list[Column]:
    """The pipeline's stages, each with the viewer's opportunities in it.

    Three queries whatever the size (four when the stages are not prefetched): the ids of
    each stage's first cards by expected close date, those cards, and each stage's count
    and amount. Won and lost
    columns show what closed since ``closed_since`` (all of it when not given).
    """
    stages = sorted(pipeline.stages.all(), key=lambda stage: stage.order)  # prefetched or read
    scoped = opportunities_in_scope(viewer).filter(pipeline=pipeline)
    if owner_id is not None:
        scoped = scoped.filter(owner_id=owner_id)
    if closed_since is not None:
        scoped = scoped.filter(Q(status=StageKind.OPEN) | Q(closed_at__gte=closed_since))
    # Grouped by owner and stage, then added up per stage: grouped by the stage alone,
    # SQLite read every opportunity of the bank along the stage index (200 ms at 500,000)
    # instead of the scope's along (owner, stage).
    totals: dict[int, dict] = {}
    for row in (
        scoped.order_by().values("owner_id", "stage_id").annotate(n=Count("id"), s=Sum("amount"))
    ):
        total = totals.setdefault(row["stage_id"], {"n": 0, "s": 0})
        total["n"] += row["n"]
        total["s"] += row["s"] or 0
    order = ("expected_close_date", "id")
    ids = _first_card_ids(scoped, stages, order)
    cards: dict[int, list[Opportunity]] = {stage.pk: [] for stage in stages}
    # What a card shows and carries (its move needs the version), nothing more: a board
    # holds hundreds of cards.
    shown = (
        Opportunity.objects.filter(pk__in=ids)
        .select_related("customer")
        .only(*CARD_FIELDS, "customer__name")
    )
    for card in shown.order_by(*order):
        cards.setdefault(card.stage_id, []).append(card)
    return [
        Column(
            stage=stage,
            cards=cards[stage.pk],
            count=totals.get(stage.pk, {}).get("n", 0),
            amount=totals.get(stage.pk, {}).get("s") or 0,
        )
        for stage in stages
    ]


def _first_card_ids(scoped: QuerySet, stages: list[Stage], order: tuple[str, ...]) -> list[int]:
    """The ids of each stage's first ``BOARD_COLUMN_LIMIT`` opportunities of ``scoped`` in
    ``order``, in one query: each a limited part read along the (owner, stage, close date)
    index.

    PostgreSQL unites the parts; as an OR of "id IN (part)" it scanned every opportunity
    (1.1 s at 500,000). SQLite allows no limited part in a UNION, and reads that OR part by
    part along the index.
    """
    parts = [
        scoped.filter(stage_id=stage.pk)
        .order_by(*order)
        .values_list("id", flat=True)[:BOARD_COLUMN_LIMIT]
        for stage in stages
    ]
    if not parts:
        return []
    if connection.features.supports_slicing_ordering_in_compound:
        return list(parts[0].union(*parts[1:], all=True))
    in_columns = Q(pk__in=[])
    for part in parts:
        in_columns |= Q(pk__in=part)
    return list(Opportunity.objects.filter(in_columns).values_list("id", flat=True))


def open_opportunities_of_customer(
    *, viewer: policy.Viewer, customer_id: int, limit: int = 10
) -> list[Opportunity]:
    """The customer's open opportunities the viewer may see, soonest close first (one query)."""
    return list(
        opportunities_in_scope(viewer)
        .filter(customer_id=customer_id, status=StageKind.OPEN)
        .select_related("stage", "owner__profile")
        .order_by(F("expected_close_date").asc(nulls_last=True), "-id")[:limit]
    )


def opportunity_choices_for_customer(
    *, viewer: policy.Viewer, customer_id: int, including: int | None = None
) -> list[tuple[int, str]]:
    """(id, name) of the customer's open opportunities the viewer may see, and of the one
    ``including`` names when the viewer may see it (an activity's, even closed): one query."""
    wanted = Q(status=StageKind.OPEN) | Q(pk=including) if including else Q(status=StageKind.OPEN)
    return list(
        opportunities_in_scope(viewer)
        .filter(wanted, customer_id=customer_id)
        .order_by(F("expected_close_date").asc(nulls_last=True), "-id")
        .values_list("id", "name")[:50]
    )


def _colleagues(opportunity: Opportunity, extra) -> list[tuple[int, str]]:
    profiles = (
        Profile.objects.filter(user__is_active=True)
        .filter(Q(branch_id=opportunity.branch_id) | Q(user_id__in=extra))
        .select_related("user")
        .order_by("display_name", "user_id")
    )
    return [
        (p.user_id, p.display_name or p.user.get_username())
        for p in profiles
        if policy.may_own_customers(p.roles) or p.user_id == opportunity.owner_id
    ]


def team_candidates(*, opportunity: Opportunity) -> list[tuple[int, str]]:
    """Colleagues who may be on the opportunity's team: the active account managers and
    team leads of its branch, and whoever is on it already (one query)."""
    return _colleagues(opportunity, opportunity.team.values("user_id"))


def owner_candidates(*, opportunity: Opportunity) -> list[tuple[int, str]]:
    """Whom the opportunity may be given to: the active account managers and team leads of
    its branch, and its owner (one query)."""
    return _colleagues(opportunity, [opportunity.owner_id])
