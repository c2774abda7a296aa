"""Running the pipeline on the store: scores with history, value tiers, failures, cross-sell."""

import threading

import pytest
from django.db.models import Count
from django.utils import timezone

from guanxi import policy
from guanxi.activities.models import Activity
from guanxi.audit.services import RequestContext
from guanxi.customers.models import Customer, Product, ValueTier
from guanxi.insights import services
from guanxi.insights.charts import CHART_COLUMNS, build_charts
from guanxi.insights.models import (
    AnalysisRun,
    CrossSellSuggestion,
    CustomerScore,
    NewChurnWarning,
    RunStatus,
    ScopeCharts,
)
from guanxi.plans.models import PlanItem
from guanxi.sales import services as sales

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_run_writes_one_score_per_customer(demo_store):
    run = services.run_analysis()

    assert run.status == RunStatus.FINISHED, run.error
    assert run.finished_at is not None and run.as_of is not None
    assert run.engine.startswith("duckdb")
    assert CustomerScore.objects.filter(run=run).count() == len(demo_store)
    assert run.counts["customers"] == len(demo_store)
    assert run.counts["transactions"] > 0
    assert run.parameters["analysis"]["clv_model"] == "mbgnbd"
    assert run.overview["n_customers_all"] == len(demo_store)
    assert {level for level, _n in run.charts["pyramid"]} <= {
        "A", "B", "C", "D", "inactive", "potential", "suspect"
    }  # fmt: skip


def test_scores_rank_customers_in_company_and_branch(demo_store):
    run = services.run_analysis()

    scored = CustomerScore.objects.filter(run=run, score__isnull=False)
    best = scored.order_by("rank_company").first()
    assert best.rank_company == 1 and best.rank_branch == 1
    for branch_id in Customer.objects.values_list("branch_id", flat=True).distinct():
        ranks = scored.filter(customer__branch_id=branch_id).order_by("-score")
        assert ranks.first().rank_branch == 1


def test_history_is_kept_across_two_runs(demo_store):
    first = services.run_analysis()
    second = services.run_analysis()

    per_customer = CustomerScore.objects.values("customer_id").annotate(n=Count("id"))
    assert {row["n"] for row in per_customer} == {2}
    assert AnalysisRun.objects.latest_finished() == second
    assert first.status == second.status == RunStatus.FINISHED


def test_value_tiers_follow_the_percentile_config(demo_store, settings):
    settings.GUANXI_INSIGHTS = {
        "tier_measure": "score",
        "value_tiers": [("platinum", 0.10), ("gold", 0.20)],
    }
    run = services.run_analysis()

    scores = CustomerScore.objects.filter(run=run).select_related("customer")
    n = len(demo_store)
    platinum = [s for s in scores if s.value_tier == ValueTier.PLATINUM]
    gold = [s for s in scores if s.value_tier == ValueTier.GOLD]
    assert abs(len(platinum) - 0.10 * n) <= 3  # ties at the boundary share a tier
    assert abs(len(gold) - 0.20 * n) <= 3
    assert min(s.score for s in platinum) > max(s.score for s in gold)
    assert not scores.filter(value_tier=ValueTier.SILVER).exists()
    for s in scores:
        assert s.customer.value_tier == s.value_tier
    assert run.counts["tier_changes"] > 0


def test_a_changed_tier_moves_the_customer_version(demo_store):
    before = {c.pk: (c.value_tier, c.version) for c in demo_store}
    services.run_analysis()

    for customer in Customer.objects.all():
        tier, version = before[customer.pk]
        assert customer.version == (version if customer.value_tier == tier else version + 1)


def test_tiers_are_left_alone_when_write_back_is_off(demo_store, settings):
    settings.GUANXI_INSIGHTS = {"write_value_tier": False}
    before = dict(Customer.objects.values_list("pk", "value_tier"))

    run = services.run_analysis()

    assert run.counts["tier_changes"] == 0
    assert dict(Customer.objects.values_list("pk", "value_tier")) == before


def test_a_failing_pipeline_marks_the_run_failed_and_changes_nothing(demo_store, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("the model exploded")

    monkeypatch.setattr(services, "analyze", broken)
    before = list(Customer.objects.order_by("pk").values_list("pk", "value_tier", "version"))

    run = services.run_analysis()

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "the model exploded" in run.error
    assert not CustomerScore.objects.exists()
    assert list(Customer.objects.order_by("pk").values_list("pk", "value_tier", "version")) == (
        before
    )


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("guanxi.insights.services._apply_value_tiers", "disk full"),
        ("guanxi.insights.services.suggestion_rows", "cross-sell model exploded"),
        ("guanxi.insights.kpi_cells.cell_rows", "no memory for the cells"),
    ],
    ids=["while writing back", "computing suggestions", "computing cells"],
)
def test_a_failure_after_the_pipeline_leaves_no_partial_results(
    demo_store, monkeypatch, step, message
):
    def broken(*args, **kwargs):
        raise RuntimeError(message)

    monkeypatch.setattr(step, broken)

    run = services.run_analysis()

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and message in run.error
    assert not CustomerScore.objects.exists()
    assert not CrossSellSuggestion.objects.exists()


def test_suggestions_are_computed_while_the_scores_are_written(demo_store, monkeypatch):
    scores_written = threading.Event()
    insert, suggest = services.insert_arrow, services.suggestion_rows

    def insert_and_tell(model, table):
        inserted = insert(model, table)
        if model is CustomerScore:
            scores_written.set()
        return inserted

    def suggest_once_scores_are_written(*args):
        # Computed before the write began, this would wait in vain and fail the run.
        if not scores_written.wait(timeout=60):
            raise RuntimeError("suggestions were computed before the scores were written")
        return suggest(*args)

    monkeypatch.setattr(services, "insert_arrow", insert_and_tell)
    monkeypatch.setattr(services, "suggestion_rows", suggest_once_scores_are_written)

    run = services.run_analysis()

    assert run.status == RunStatus.FINISHED, run.error
    assert CrossSellSuggestion.objects.filter(run=run).exists()


def test_a_run_keeps_the_seconds_of_its_store_side_phases_beside_the_pipeline_steps(demo_store):
    run = services.run_analysis()

    timings = run.overview["timings"]
    phases = {"snapshot", "score_rows", "cross_sell", "kpi_cells", "charts", "write_scores"}
    assert phases | {"write_suggestions", "write_cells", "tier_changes", "summary"} <= set(timings)
    assert all(seconds >= 0 for seconds in timings.values())


def test_an_empty_store_fails_with_a_message(transactional_db):
    run = services.run_analysis()

    assert run.status == RunStatus.FAILED
    assert "empty" in run.error


def test_cross_sell_suggests_products_the_customer_does_not_hold(demo_store):
    run = services.run_analysis()

    suggestions = CrossSellSuggestion.objects.filter(run=run)
    assert suggestions.exists()
    assert run.counts["suggestions"] == suggestions.count()
    for s in suggestions.select_related("customer")[:200]:
        held = set(s.customer.holdings.filter(closed_at=None).values_list("product_id", flat=True))
        assert s.product_id not in held
        assert s.reason_data["share"] > 0
    assert set(suggestions.values_list("rank", flat=True)) <= {1, 2, 3}


def test_hand_made_purchases_give_the_expected_warning(make_customer, buy):
    # Bought every 10 days, then nothing for 200 days: overdue by far.
    lapsed = make_customer("钱七")
    buy(lapsed, [200, 210, 220, 230], holds=["DEP"])
    regular = make_customer("孙八")
    buy(regular, [2, 12, 22, 32], holds=["DEP", "CARD"])

    run = services.run_analysis()

    assert run.status == RunStatus.FINISHED, run.error
    score = CustomerScore.objects.get(run=run, customer=lapsed)
    assert score.churn_warning
    assert "OVERDUE" in score.churn_reason_codes
    assert "200" in score.churn_reason_en and "200" in score.churn_reason_zh
    assert not CustomerScore.objects.get(run=run, customer=regular).churn_warning


def test_a_run_keeps_as_new_the_warnings_the_run_before_did_not_raise(demo_store):
    first = services.run_analysis()
    warned = CustomerScore.objects.filter(run=first, churn_warning=True)
    assert NewChurnWarning.objects.filter(run=first).count() == warned.count() > 1
    lifted = warned.order_by("customer_id").first()
    CustomerScore.objects.filter(pk=lifted.pk).update(churn_warning=False)

    second = services.run_analysis()

    news = NewChurnWarning.objects.filter(run=second).select_related("customer")
    assert [(n.customer_id, n.owner_id, n.branch_id) for n in news] == [
        (lifted.customer_id, lifted.customer.owner_id, lifted.customer.branch_id)
    ]
    assert (
        news[0].severity
        == CustomerScore.objects.get(run=second, customer_id=lifted.customer_id).churn_severity
    )
    assert second.counts["new_churn_warnings"] == 1


def test_history_beyond_the_kept_runs_is_pruned(demo_store, settings):
    settings.GUANXI_INSIGHTS = {"keep_runs": 2}
    first, second, third = (services.run_analysis() for _ in range(3))

    assert list(AnalysisRun.objects.order_by("pk")) == [second, third]
    assert set(CustomerScore.objects.values_list("run_id", flat=True)) == {second.pk, third.pk}
    assert set(CrossSellSuggestion.objects.values_list("run_id", flat=True)) == {third.pk}


def test_a_second_run_keeps_the_company_pyramid_migration_since_the_first(demo_store):
    first = services.run_analysis()
    assert first.charts["pyramid_migration"] is None  # nothing to compare with yet
    CustomerScore.objects.filter(run=first).update(pyramid_level="D")
    second = services.run_analysis()

    migration = second.charts["pyramid_migration"]
    assert migration["previous_run"] == first.pk
    assert sum(n for _before, _now, n in migration["cells"]) == len(demo_store)
    assert {before for before, _now, _n in migration["cells"]} == {"D"}
    now = CustomerScore.objects.filter(run=second).values("pyramid_level").annotate(n=Count("id"))
    assert {(r["pyramid_level"], r["n"]) for r in now} == {
        (after, n) for _before, after, n in migration["cells"]
    }


def test_a_run_keeps_the_charts_of_each_branch_and_account_manager_from_their_scores(
    demo_store,
):
    run = services.run_analysis()

    kept = ScopeCharts.objects.filter(run=run)
    assert run.counts["scope_charts"] == kept.count() > 0
    branches = Customer.objects.values_list("branch_id", flat=True).distinct()
    owners = Customer.objects.filter(owner__isnull=False).values_list("owner_id", flat=True)
    assert {c.branch_id for c in kept if c.branch_id} == set(branches)
    assert {c.owner_id for c in kept if c.owner_id} == set(owners)
    scores = CustomerScore.objects.filter(run=run)
    for row in kept:
        unit = {"customer__branch_id": row.branch_id} if row.branch_id else {
            "customer__owner_id": row.owner_id
        }  # fmt: skip
        values = list(scores.filter(**unit).values_list(*CHART_COLUMNS))
        expected = build_charts(dict(zip(CHART_COLUMNS, zip(*values, strict=True), strict=True)))
        assert row.charts == {**expected, "pyramid_migration": None}


def test_a_branchs_kept_migration_counts_its_customers_by_level_before_and_now(demo_store):
    first = services.run_analysis()
    CustomerScore.objects.filter(run=first).update(pyramid_level="D")
    second = services.run_analysis()

    branch_id = demo_store[0].branch_id
    migration = ScopeCharts.objects.get(run=second, branch_id=branch_id).charts["pyramid_migration"]
    assert migration["previous_run"] == first.pk
    now = (
        CustomerScore.objects.filter(run=second, customer__branch_id=branch_id)
        .values("pyramid_level")
        .annotate(n=Count("id"))
    )
    cells = {tuple(cell) for cell in migration["cells"]}
    assert {("D", r["pyramid_level"], r["n"]) for r in now} == cells


def _finished_run() -> AnalysisRun:
    return AnalysisRun.objects.create(
        status=RunStatus.FINISHED, trigger="command", finished_at=timezone.now()
    )


def _suggest(run: AnalysisRun, customers: list[Customer], product: Product) -> None:
    CrossSellSuggestion.objects.bulk_create(
        CrossSellSuggestion(run=run, customer=c, rank=1, product=product, score=0.5)
        for c in customers
    )


@pytest.mark.parametrize("customers_suggested", [3, 300])
def test_pruning_older_suggestions_takes_the_same_queries_however_many_there_are(
    customers_suggested, staff, make_customer, products, django_assert_num_queries
):
    customers = [make_customer(f"客户{n}") for n in range(customers_suggested)]
    old, latest = _finished_run(), _finished_run()
    _suggest(old, customers, products["FUND"])
    _suggest(latest, customers[:1], products["FUND"])

    with django_assert_num_queries(PRUNE_QUERIES):
        services.prune_history(latest, keep_runs=2)
    assert list(CrossSellSuggestion.objects.values_list("run_id", flat=True)) == [latest.pk]


# The finished runs, the savepoint and its release, unlinking opportunities and deleting
# suggestions (no run is past the kept ones here).
PRUNE_QUERIES = 5


def test_an_opportunity_from_a_pruned_suggestion_keeps_its_product(staff, make_customer, products):
    customer = make_customer("张三")
    old, latest = _finished_run(), _finished_run()
    _suggest(old, [customer], products["FUND"])
    opportunity = sales.opportunity_create_from_suggestion(
        viewer=policy.Viewer.of(staff["admin"]),
        suggestion_id=CrossSellSuggestion.objects.get(run=old).pk,
        context=RequestContext(channel="test"),
    )

    services.prune_history(latest, keep_runs=2)
    opportunity.refresh_from_db()
    assert opportunity.source_suggestion_id is None
    assert opportunity.product == products["FUND"]
    assert not CrossSellSuggestion.objects.filter(run=old).exists()


def test_a_customer_deleted_during_a_run_leaves_no_score_or_suggestion(demo_store, monkeypatch):
    # No foreign-key constraint refuses the run's rows of a deleted customer: the run
    # leaves them out.
    gone = demo_store[0]
    make_charts = services.build_charts

    def delete_then_make_charts(*args, **kwargs):
        # After the snapshot was taken; what protects the customer goes first.
        PlanItem.objects.filter(customer=gone).delete()
        Activity.objects.filter(customer=gone).delete()
        Customer.objects.filter(pk=gone.pk).delete()
        return make_charts(*args, **kwargs)

    monkeypatch.setattr(services, "build_charts", delete_then_make_charts)
    run = services.run_analysis()

    assert run.status == RunStatus.FINISHED, run.error
    assert CustomerScore.objects.filter(run=run).count() == len(demo_store) - 1
    assert not CustomerScore.objects.filter(customer_id=gone.pk).exists()
    assert not CrossSellSuggestion.objects.filter(customer_id=gone.pk).exists()
