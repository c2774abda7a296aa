"""Turning the pipeline's per-customer table into rows for the store (inside DuckDB).

Branch ranks, value tiers and a call list capped per account manager are window functions
over the run's own results, computed where the data already are rather than row by row in
Python.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import numpy as np
import pyarrow as pa

from guanxi.analytics.cross_sell import recommend_products
from guanxi.customers.models import ValueTier
from guanxi.insights.config import WriteBackConfig
from guanxi.insights.migration import NOT_SCORED


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **tables: pa.Table) -> Iterator[None]:
    """``tables`` visible to ``con``'s queries by their names while the block runs."""
    for name, table in tables.items():
        con.register(name, table)
    try:
        yield
    finally:
        for name in tables:
            con.unregister(name)


def _tier_case(config: WriteBackConfig) -> str:
    """SQL giving each customer's tier from its rank share ``_share`` and measure ``_m``."""
    whens = " ".join(
        f"WHEN _share < {bound!r} THEN '{tier}'" for tier, bound in config.tier_bounds()
    )
    # A customer with no value (no purchases, or a CLV of 0) is standard whatever its rank.
    standard = f"'{ValueTier.STANDARD}'"
    return f"CASE WHEN coalesce(_m, 0) <= 0 THEN {standard} {whens} ELSE {standard} END"


def _call_list(config: WriteBackConfig) -> str:
    """SQL of ``churn_priority``: the library's list (a share of the customers), or each
    account manager's first ``churn_calls_per_owner`` warnings by rank (customers without an
    account manager: the first of each branch), leaving out those with nothing at risk."""
    cap = config.churn_calls_per_owner
    if cap is None:
        return "coalesce(churn_priority, false)"
    return (
        f"coalesce(churn_rank IS NOT NULL AND _owner_place <= {int(cap)}"
        " AND coalesce(value_at_risk, r_value, 0) > 0, false)"
    )


def score_rows(
    con: duckdb.DuckDBPyConnection, customers: pa.Table, run_id: int, config: WriteBackConfig
) -> pa.Table:
    """One row per customer in ``insights_customerscore``'s columns.

    ``con`` holds the snapshot's ``customers`` table (for branches); ``customers`` is the
    pipeline's per-customer result.
    """
    measure = f"r.{config.tier_measure}"
    value = f"r.{config.churn_value_measure}"
    with registered(con, result=customers):
        return con.execute(
            f"""
            WITH ranked AS (
                SELECT r.*, c.branch_id, {measure} AS _m,
                    (rank() OVER (ORDER BY {measure} DESC NULLS LAST) - 1)
                        / count(*) OVER () AS _share,
                    CASE WHEN r.score IS NULL THEN NULL ELSE
                        rank() OVER (PARTITION BY c.branch_id ORDER BY r.score DESC NULLS LAST)
                    END AS _branch_rank,
                    CASE WHEN r.value > 0 THEN
                        rank() OVER (PARTITION BY c.branch_id ORDER BY r.value DESC NULLS LAST)
                        / count(CASE WHEN r.value > 0 THEN 1 END)
                            OVER (PARTITION BY c.branch_id)
                    END AS _branch_value_share,
                    {value} AS r_value,
                    CASE WHEN r.churn_rank IS NULL THEN NULL ELSE
                        row_number() OVER (
                            PARTITION BY c.owner_id,
                                CASE WHEN c.owner_id IS NULL THEN c.branch_id END,
                                r.churn_rank IS NULL
                            ORDER BY r.churn_rank
                        )
                    END AS _owner_place
                FROM result r JOIN customers c USING (customer_id)
            )
            SELECT
                {int(run_id)}::BIGINT AS run_id,
                customer_id,
                coalesce(rfm_segment, '') AS rfm_segment,
                r_score, f_score, m_score,
                coalesce(pyramid_level, '') AS pyramid_level,
                p_alive, expected_purchases, clv, total_revenue, revenue_12m,
                coalesce(churn_warning, false) AS churn_warning,
                coalesce(churn_severity, 0) AS churn_severity,
                coalesce(to_json(churn_reason_codes)::VARCHAR, '[]') AS churn_reason_codes,
                coalesce(churn_reason, '') AS churn_reason_en,
                coalesce(churn_reason_zh, '') AS churn_reason_zh,
                churn_probability, value_at_risk, churn_rank,
                churn_model_probability,
                to_json(churn_model_reasons)::VARCHAR AS churn_model_reasons,
                {_call_list(config)} AS churn_priority,
                score,
                rank AS rank_company,
                _branch_rank AS rank_branch,
                {_tier_case(config)} AS value_tier,
                value, value_share, _branch_value_share AS value_share_branch,
                aum, monthly_spend, tenure_months, cost_12m, profit_12m, unprofitable
            FROM ranked
            ORDER BY customer_id
            """
        ).to_arrow_table()


def new_warning_rows(
    con: duckdb.DuckDBPyConnection, scores: pa.Table, before: pa.Table
) -> pa.Table:
    """The run's warnings of customers the run before did not warn about (``before``: its
    ``customer_id`` and ``churn_warning``), in ``insights_newchurnwarning``'s columns, with
    each customer's branch and account manager from the snapshot's ``customers``."""
    columns = ["run_id", "customer_id", "churn_warning", "churn_severity"]
    with registered(con, run_scores=scores.select(columns), before=before):
        return con.execute(
            """
            SELECT s.run_id, s.customer_id, c.branch_id, c.owner_id,
                s.churn_severity AS severity
            FROM run_scores s JOIN customers c USING (customer_id)
            WHERE s.churn_warning AND NOT EXISTS (
                SELECT 1 FROM before b WHERE b.customer_id = s.customer_id AND b.churn_warning
            )
            ORDER BY s.customer_id
            """
        ).to_arrow_table()


def scope_keys(con: duckdb.DuckDBPyConnection, scores: pa.Table) -> pa.Table:
    """Each score row's ``branch_id`` and ``owner_id`` in the snapshot's ``customers`` (0 for
    none), in the rows' order (``scores`` are in customer order)."""
    with registered(con, run_scores=scores.select(["customer_id"])):
        return con.execute(
            """
            SELECT coalesce(c.branch_id, 0) AS branch_id, coalesce(c.owner_id, 0) AS owner_id
            FROM run_scores s LEFT JOIN customers c USING (customer_id)
            ORDER BY s.customer_id
            """
        ).to_arrow_table()


Moves = dict[tuple[int, int, str, str], int]


def level_moves(con: duckdb.DuckDBPyConnection, scores: pa.Table, before: pa.Table) -> Moves:
    """How many customers of each (branch, account manager) of the snapshot (0 for none)
    moved from each pyramid level in the run before (``before``: its ``customer_id`` and
    ``pyramid_level``; ``NOT_SCORED`` for a customer it did not score) to each level in this
    run (``guanxi.insights.migration``)."""
    now = scores.select(["customer_id", "pyramid_level"])
    with registered(con, run_scores=now, before=before):
        rows = con.execute(
            f"""
            SELECT coalesce(c.branch_id, 0), coalesce(c.owner_id, 0),
                coalesce(b.pyramid_level, '{NOT_SCORED}'), s.pyramid_level, count(*)
            FROM run_scores s LEFT JOIN before b USING (customer_id)
                LEFT JOIN customers c USING (customer_id)
            GROUP BY ALL
            """
        ).fetchall()
    return {(branch, owner, was, now): n for branch, owner, was, now, n in rows}


def _product_labels(con: duckdb.DuckDBPyConnection) -> None:
    """A ``labels`` table: the text cross-sell reasons name each product by (its name, or
    name and code where two products share a name)."""
    con.execute(
        """
        CREATE OR REPLACE TABLE labels AS
        SELECT product_id,
            CASE WHEN count(*) OVER (PARTITION BY name) > 1 THEN name || ' (' || code || ')'
                 ELSE name END AS label
        FROM products
        """
    )


def suggestion_rows(con: duckdb.DuckDBPyConnection, run_id: int, k: int) -> pa.Table:
    """Up to ``k`` cross-sell suggestions per customer holding anything, in
    ``insights_crosssellsuggestion``'s columns (empty when nobody holds a product).

    The reason is kept as data alone and worded when shown
    (``guanxi.insights.cross_sell_reasons``): the library's English sentence would add
    about 140 MB to each run's write at a million customers.
    """
    _product_labels(con)
    held = con.execute(
        "SELECT h.customer_id, l.label AS product FROM holdings h JOIN labels l USING (product_id)"
    ).to_arrow_table()
    if k == 0 or held.num_rows == 0:
        return pa.table({})
    suggested = recommend_products(held, k)
    with registered(con, suggested=suggested):
        return con.execute(
            f"""
            SELECT {int(run_id)}::BIGINT AS run_id, s.customer_id, s.rank::SMALLINT AS rank,
                l.product_id, s.score, '' AS reason,
                json_object(
                    'code', s.reason_code, 'held', s.reason_product, 'share', s.reason_share
                )::VARCHAR AS reason_data
            FROM suggested s JOIN labels l ON l.label = s.product
            ORDER BY s.customer_id, s.rank
            """
        ).to_arrow_table()


def json_ready(value: object) -> object:
    """``value`` with NumPy scalars and arrays turned into plain Python for a JSON field."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_ready(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None  # JSON has no NaN
    return value
