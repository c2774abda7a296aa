"""Small aggregates of a run per branch and account manager, computed at write-back.

The KPI page and the dashboard's trends show figures for the viewer's scope. Scanning the
store's transactions or every run's scores per page view is far too slow at a million
customers, so a run keeps, per (branch, account manager):

* KPI components per month, quarter and year (:class:`~guanxi.insights.models.KpiCell`,
  counts and sums from :func:`guanxi.analytics.kpis.kpi_components_by_period`, with the
  profit of the value profile's margins per product kind and costs per channel);
* counts per value tier and pyramid level, warnings, call list and score sums
  (:class:`~guanxi.insights.models.RunCell`).

Pages add up the cells of the viewer's scope with one indexed query and divide.
"""

import datetime as dt
from dataclasses import dataclass

import duckdb
import ibis
import pyarrow as pa

from guanxi.analytics.concentration import CostToServe
from guanxi.analytics.kpis import Period, kpi_components_by_period
from guanxi.analytics.value import ServingCosts
from guanxi.insights.bulk import insert_arrow
from guanxi.insights.models import KpiCell, PeriodKind, RunCell
from guanxi.insights.results import registered

PERIODS: tuple[Period, ...] = ("month", "quarter", "year")
assert set(PERIODS) == set(PeriodKind.values), "every period the page offers is computed"

# A customer's cell, as one number the library can group by: branch id in the high half,
# account manager id (0 for none) in the low half.
_HALF = 2**32
_CELL = f"branch_id::BIGINT * {_HALF} + coalesce(owner_id, 0)::BIGINT"


@dataclass(frozen=True)
class CellRows:
    """A run's cells as rows in their tables' columns, ready to insert."""

    kpi: pa.Table
    run: pa.Table


def cell_rows(
    con: duckdb.DuckDBPyConnection,
    scores: pa.Table,
    run_id: int,
    as_of: dt.date | None,
    costs: ServingCosts,
) -> CellRows:
    """The run's cells from the snapshot in ``con`` and the run's score rows; profit from
    ``costs`` (the value profile's)."""
    return CellRows(kpi=_kpi_rows(con, run_id, as_of, costs), run=_run_rows(con, scores, run_id))


def cells_insert(*, cells: CellRows) -> dict[str, int]:
    """Insert the cells (inside the run's write transaction); how many rows of each."""
    return {
        "kpi_cells": insert_arrow(KpiCell, cells.kpi),
        "run_cells": insert_arrow(RunCell, cells.run),
    }


def _kpi_rows(
    con: duckdb.DuckDBPyConnection, run_id: int, as_of: dt.date | None, costs: ServingCosts
) -> pa.Table:
    """KPI components per period kind, period and cell, in ``insights_kpicell``'s columns.

    Profit per period is what the transactions earn (amount times their product kind's
    margin) less what they cost in their channel, as in the customers' ``profit_12m``;
    balance margins and servicing costs are yearly figures of today's holdings and are left
    to ``profit_12m``, since past periods' balances are not kept.
    """
    con.execute(
        "CREATE OR REPLACE VIEW kpi_customers AS SELECT customer_id,"
        f" {_CELL} AS cell, source_channel FROM customers"
    )
    backend = ibis.duckdb.from_connection(con)
    transactions = backend.table("transactions")
    rate = transactions["kind"].substitute(dict(costs.margins), else_=0.0)
    found = kpi_components_by_period(
        transactions.mutate(margin_rate=rate.fill_null(0.0).cast("float64")),
        periods=PERIODS,
        customers=backend.table("kpi_customers"),
        holdings=backend.table("holdings"),
        costs=CostToServe(
            per_transaction=costs.channel_costs,
            default_transaction_cost=costs.default_channel_cost,
        ),
        time_col="occurred_at",
        channel_col="channel",
        margin_col="margin_rate",
        opened_col="opened_at",
        product_col="product_id",
        group_col="cell",
        as_of=as_of,
    ).to_pyarrow()
    with registered(con, kpi_parts=found):
        return con.execute(
            f"""
            SELECT {int(run_id)}::BIGINT AS run_id, period_kind, period::DATE AS period,
                (cell // {_HALF})::BIGINT AS branch_id,
                nullif(cell % {_HALF}, 0)::BIGINT AS owner_id,
                active_customers, new_customers, retained_customers,
                revenue, profit, products_held, cross_sold, referred_customers
            FROM kpi_parts ORDER BY period_kind, branch_id, owner_id, period
            """
        ).to_arrow_table()


def _run_rows(con: duckdb.DuckDBPyConnection, scores: pa.Table, run_id: int) -> pa.Table:
    """Counts per cell, value tier and pyramid level, and the company's per value tier and
    pyramid level (without branch and owner), in ``insights_runcell``'s columns."""
    with registered(con, run_scores=scores):
        return con.execute(
            f"""
            SELECT {int(run_id)}::BIGINT AS run_id, c.branch_id, c.owner_id,
                s.value_tier, s.pyramid_level,
                count(*) AS customers,
                count(*) FILTER (WHERE s.churn_warning) AS churn_warnings,
                count(*) FILTER (WHERE s.churn_priority) AS churn_calls,
                coalesce(sum(s.score), 0)::DOUBLE AS score_sum,
                count(s.score) AS scored
            FROM run_scores s JOIN customers c USING (customer_id)
            GROUP BY GROUPING SETS (
                (c.branch_id, c.owner_id, s.value_tier, s.pyramid_level),
                (s.value_tier, s.pyramid_level)
            )
            ORDER BY ALL
            """
        ).to_arrow_table()
