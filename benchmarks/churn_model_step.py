"""Time the churn model step's parts on a demo store: features, fits, scoring with reasons.

    GUANXI_DATA_DIR=/tmp/churn-100k .venv/bin/python benchmarks/churn_model_step.py

The store is made with ``guanxi demo-data --customers 100000`` (24 months). The step's total
is also in every run's ``overview["timings"]["churn_model"]``; this script splits it so the
extrapolation to 1M customers can be made part by part (the fits are capped at
``max_train_rows`` customers and the reasons at ``max_reason_rows``; features and scoring
grow with the store).
"""

from __future__ import annotations

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
django.setup()

import ibis  # noqa: E402
from django.utils import timezone  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from guanxi.analytics.churn.store_features import (  # noqa: E402
    LogColumns,
    StoreTables,
    months_before,
    store_features,
)
from guanxi.analytics.churn.store_model import (  # noqa: E402
    ChurnModelConfig,
    labelled_frame,
    score_with_reasons,
    train_by_time,
)
from guanxi.insights import store  # noqa: E402


def main() -> None:
    """Print the seconds of each part and the model's validation."""
    cfg = ChurnModelConfig()
    as_of = timezone.localdate()
    columns = LogColumns(customer_col="customer_id", date_col="day", amount_col="amount")
    with store.snapshot() as con:
        con.execute(
            "CREATE TABLE tx AS SELECT customer_id, occurred_at::DATE AS day, amount"
            " FROM transactions"
        )
        backend = ibis.duckdb.from_connection(con)
        tx = backend.table("tx")
        tables = StoreTables(
            holdings=backend.table("holding_history"),
            contacts=backend.table("contacts"),
            lifecycle=backend.table("lifecycle"),
            customers=backend.table("customer_days"),
        )
        began = time.perf_counter()
        valid_day, fit_day = months_before(as_of, 6), months_before(as_of, 12)
        kinds = cfg.balance_kinds
        earlier = labelled_frame(tx, fit_day, valid_day, tables, kinds, **columns).to_pandas()
        later = labelled_frame(tx, valid_day, as_of, tables, kinds, **columns).to_pandas()
        today = store_features(tx, as_of, tables, balance_kinds=kinds, **columns).to_pandas()
        print(f"features (3 days): {time.perf_counter() - began:.1f} s, {len(today):,} customers")
        with threadpool_limits(1):
            began = time.perf_counter()
            model, metrics = train_by_time(earlier, later, cfg)
            print(f"validation fit + final fit: {time.perf_counter() - began:.1f} s; {metrics}")
            began = time.perf_counter()
            scores = score_with_reasons(model, today, cfg)
            explained = scores["model_reasons"].drop_null()
            print(
                f"scoring + reasons: {time.perf_counter() - began:.1f} s "
                f"({len(explained):,} customers explained)"
            )


if __name__ == "__main__":
    main()
