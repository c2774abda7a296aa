"""A run's KPI cells and run cells: written at write-back, adding up to the company."""

import ibis
import pytest
from django.db.models import Sum

from guanxi.analytics.kpis import period_kpi_components
from guanxi.customers.models import Transaction
from guanxi.insights import services, store
from guanxi.insights.config import default_analysis_config
from guanxi.insights.models import CustomerScore, KpiCell, RunCell

pytestmark = pytest.mark.django_db(transaction=True)
SUMMED = ("active_customers", "new_customers", "retained_customers", "products_held")


def company_components(as_of, period: str) -> dict:
    """The library's KPI components of the whole store, ungrouped, per period."""
    with store.snapshot() as con:
        backend = ibis.duckdb.from_connection(con)
        table = period_kpi_components(
            backend.table("transactions"),
            customers=backend.table("customers"),
            holdings=backend.table("holdings"),
            time_col="occurred_at",
            product_col="product_id",
            opened_col="opened_at",
            period=period,
            as_of=as_of,
        ).to_pyarrow()
    return {row["period"]: row for row in table.to_pylist()}


def test_a_run_writes_kpi_cells_whose_sums_are_the_company_figures(demo_store):
    run = services.run_analysis()
    assert run.status == "finished", run.error

    company = company_components(run.as_of, "quarter")
    cells = KpiCell.objects.filter(run=run, period_kind="quarter")
    summed = {
        row["period"]: row
        for row in cells.values("period").annotate(
            **{n: Sum(n) for n in (*SUMMED, "revenue", "referred_customers")}
        )
    }
    assert set(summed) == set(company) and len(company) >= 4
    for period, whole in company.items():
        for name in SUMMED:
            assert summed[period][name] == whole[name], (period, name)
        assert summed[period]["revenue"] == pytest.approx(whole["revenue"])
        assert summed[period]["referred_customers"] == whole["referred_customers"]
    assert run.counts["kpi_cells"] == KpiCell.objects.filter(run=run).count()


def test_kpi_cells_are_per_branch_and_account_manager_of_the_customers(demo_store):
    run = services.run_analysis()

    pairs = {(c.branch_id, c.owner_id) for c in demo_store}
    cells = set(KpiCell.objects.filter(run=run).values_list("branch_id", "owner_id"))
    assert cells and cells <= pairs
    assert {kind for (kind,) in KpiCell.objects.values_list("period_kind").distinct()} == {
        "month", "quarter", "year"
    }  # fmt: skip


def test_run_cells_count_every_scored_customer_once(demo_store):
    run = services.run_analysis()

    scores = CustomerScore.objects.filter(run=run)
    totals = RunCell.objects.filter(run=run, branch__isnull=False).aggregate(
        customers=Sum("customers"), warnings=Sum("churn_warnings"), calls=Sum("churn_calls")
    )
    assert totals["customers"] == scores.count() == len(demo_store)
    assert totals["warnings"] == scores.filter(churn_warning=True).count()
    assert totals["calls"] == scores.filter(churn_priority=True).count()
    gold = RunCell.objects.filter(run=run, value_tier="gold", branch__isnull=False)
    assert gold.aggregate(n=Sum("customers"))["n"] == scores.filter(value_tier="gold").count()


def per_tier_and_level(cells) -> dict:
    summed = cells.values("value_tier", "pyramid_level").annotate(
        n=Sum("customers"), warned=Sum("churn_warnings"), score=Sum("score_sum")
    )
    return {
        (r["value_tier"], r["pyramid_level"]): (r["n"], r["warned"], round(r["score"], 6))
        for r in summed.order_by()
    }


def test_the_company_rows_of_a_run_sum_its_cells(demo_store):
    run = services.run_analysis()

    cells = RunCell.objects.filter(run=run)
    company = cells.filter(branch__isnull=True)
    assert company.exists() and not company.filter(owner__isnull=False).exists()
    assert per_tier_and_level(company) == per_tier_and_level(cells.filter(branch__isnull=False))


def test_kpi_profit_is_what_transactions_earn_by_product_kind_less_their_channel_cost(
    demo_store,
):
    run = services.run_analysis()
    costs = default_analysis_config().value.costs
    assert costs.margins and costs.channel_costs  # the demo bank has a profile with both

    earned = 0.0
    for amount, kind, channel in Transaction.objects.values_list(
        "amount", "product__kind", "channel"
    ):
        rate = costs.margins.get(kind, 0.0)
        cost = costs.channel_costs.get(channel, costs.default_channel_cost)
        earned += float(amount) * rate - cost
    years = KpiCell.objects.filter(run=run, period_kind="year").aggregate(p=Sum("profit"))
    assert years["p"] == pytest.approx(earned)
    assert years["p"] != pytest.approx(
        KpiCell.objects.filter(run=run, period_kind="year").aggregate(r=Sum("revenue"))["r"]
    )
