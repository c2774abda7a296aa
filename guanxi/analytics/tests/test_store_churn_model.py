"""The churn model on store features: the features as of a day, labels that never look past
their window, and the model inside the nightly analysis (used, or the fallback when weak)."""

import dataclasses
import datetime as dt

import ibis
import numpy as np
import pyarrow as pa
import pytest

from guanxi.analytics.churn.store_features import LogColumns, StoreTables, store_features
from guanxi.analytics.churn.store_model import ChurnModelConfig, labelled_frame
from guanxi.analytics.pipeline import AnalysisConfig, analyze
from guanxi.analytics.summary import customer_summary

from .helpers import by_customer, tx

DAY = dt.date(2024, 6, 30)
COLUMNS = LogColumns(customer_col="customer_id", date_col="date", amount_col="amount")


def _store() -> StoreTables:
    d = dt.date.fromisoformat
    return StoreTables(
        holdings=ibis.memtable(
            pa.table(
                {
                    "customer_id": [1, 1, 1, 2],
                    "kind": ["deposit", "deposit", "loan", "wealth"],
                    "opened_at": [
                        d("2023-01-01"),
                        d("2024-01-01"),
                        d("2023-05-01"),
                        d("2024-07-15"),
                    ],
                    "closed_at": [None, d("2024-03-01"), None, None],
                    "balance": [1000.0, 0.0, 50000.0, 9000.0],
                }
            )
        ),
        contacts=ibis.memtable(pa.table({"customer_id": [2, 2]})),
        lifecycle=ibis.memtable(
            pa.table(
                {
                    "customer_id": [1, 1, 1],
                    "from_status": ["prospect", "new", "repeat"],
                    "to_status": ["new", "repeat", "inactive"],
                    "changed_at": [d("2023-01-05"), d("2023-09-01"), d("2024-08-01")],
                }
            )
        ),
        customers=ibis.memtable(
            pa.table(
                {
                    "customer_id": [1, 2],
                    "created_at": [d("2023-01-01"), d("2024-02-01")],
                    "status": ["inactive", "new"],
                }
            )
        ),
    )


LOG = [
    (1, "2023-01-05", 100.0),
    (1, "2024-02-10", 50.0),
    (1, "2024-05-01", 30.0),
    (1, "2024-05-01", 20.0),
    (1, "2024-05-03", -20.0),  # a refund: not a purchase
    (1, "2024-07-01", 999.0),  # after the day: never read
    (2, "2024-06-30", 10.0),
    (3, "2024-07-02", 10.0),  # first purchase after the day: not in the population
]


def test_store_features_are_the_store_as_it_stood_on_the_day():
    rows = by_customer(store_features(tx(LOG), DAY, _store(), **COLUMNS))

    assert set(rows) == {1, 2}
    one = rows[1]
    assert one["recency_days"] == (DAY - dt.date(2024, 5, 1)).days
    assert one["frequency"] == 3
    assert one["spend_3m"] == 50.0 and one["spend_prev_3m"] == 50.0
    assert one["spend_trend"] == 0.0
    assert one["spend_12m"] == 100.0 and one["refunds_12m"] == 1
    # The deposit closed in March and the loan are out / in; today's inactive is not yet.
    assert one["n_products"] == 2
    assert one["balance_deposit"] == 1000.0 and one["balance_loan"] == 50000.0
    assert one["status"] == "repeat" and one["status_changes"] == 2
    assert one["tenure_days"] == (DAY - dt.date(2023, 1, 1)).days
    assert one["n_contacts"] == 0
    two = rows[2]
    # Its wealth account opened after the day; it never moved, so today's status holds.
    assert two["n_products"] == 0 and two["balance_wealth"] == 0.0
    assert two["status"] == "new" and two["status_changes"] == 0
    assert two["n_contacts"] == 2 and two["spend_trend"] == 1.0


def test_features_that_take_the_summarys_paid_days_equal_those_counted_over_the_log():
    log = [
        *LOG,
        (4, "2024-06-01", 0.0),  # a free item only: a purchase day, not a paid one
        (5, "2024-03-01", 0.0),
        (5, "2024-04-01", 25.0),
        (5, "2024-04-01", 25.0),  # the same day twice: one paid day
    ]
    summary = customer_summary(
        tx(log),
        customer_col="customer_id",
        time_col="date",
        amount_col="amount",
        as_of=DAY,
        paid_days=True,
    )

    counted = by_customer(store_features(tx(log), DAY, _store(), **COLUMNS))
    taken = by_customer(store_features(tx(log), DAY, _store(), paid=summary, **COLUMNS))

    assert set(counted) == {1, 2, 5}  # customer 4 never paid: not in the population
    assert taken == counted
    assert (
        taken[5]["frequency"] == 1 and taken[5]["tenure_days"] == (DAY - dt.date(2024, 4, 1)).days
    )


def test_a_customer_before_their_first_lifecycle_move_has_the_status_it_left():
    store = _store()
    rows = by_customer(store_features(tx(LOG), dt.date(2023, 1, 5), store, **COLUMNS))

    assert rows[1]["status"] == "new"  # the move on the day itself counts
    rows = by_customer(store_features(tx(LOG), dt.date(2023, 1, 4), store, **COLUMNS))
    assert rows == {}  # no purchase yet


def test_labelled_frames_never_see_transactions_after_their_window():
    end = dt.date(2024, 12, 31)
    base = labelled_frame(tx(LOG), DAY, end, _store(), **COLUMNS).to_pandas()
    later = [*LOG, (2, "2025-01-01", 500.0), (1, "2025-03-01", 7.0)]
    changed = labelled_frame(tx(later), DAY, end, _store(), **COLUMNS).to_pandas()

    key = ["customer_id"]
    assert (
        base.sort_values(key)
        .reset_index(drop=True)
        .equals(changed.sort_values(key).reset_index(drop=True))
    )
    labels = dict(zip(base["customer_id"], base["churned"], strict=True))
    assert labels == {1: 0, 2: 1}  # 1 bought in July; 2's purchase came after the window


def _history(n: int = 600, seed: int = 3) -> ibis.Table:
    """Two years of monthly buyers; about half stop at a random month."""
    rng = np.random.default_rng(seed)
    start = dt.date(2022, 1, 1)
    rows = []
    for c in range(1, n + 1):
        stop = rng.integers(3, 30) if rng.random() < 0.6 else 99
        rate = rng.uniform(0.3, 0.9)
        for m in range(24):
            if m < stop and rng.random() < rate:
                day = start + dt.timedelta(days=30 * m + int(rng.integers(0, 28)))
                rows.append((c, day, float(rng.uniform(20, 200))))
    return tx(rows)


@pytest.fixture(scope="module")
def history() -> ibis.Table:
    return _history()


def test_the_analysis_uses_a_model_that_validates_well(history):
    config = AnalysisConfig(as_of=dt.date(2023, 12, 31))

    result = analyze(
        history, customer_col="customer_id", time_col="date", amount_col="amount", config=config
    )

    info = result.overview["churn_model"]
    assert info["status"] == "used" and info["probability_source"] == "model"
    assert info["horizon_months"] == 6
    assert info["roc_auc"] > 0.65 and info["top_decile_lift"] > 1 and 0 < info["pr_auc"] <= 1
    rows = result.customers.to_pylist()
    judged = [r for r in rows if r["churn_model_probability"] is not None]
    assert len(judged) == result.overview["n_customers"]
    for r in judged:
        assert r["churn_probability"] == pytest.approx(r["churn_model_probability"])
    explained = [r for r in judged if r["churn_model_reasons"]]
    assert explained and all(
        reason["contribution"] > 0 for r in explained for reason in r["churn_model_reasons"]
    )
    assert result.overview["churn_list"]["probability_source"] == "model"


def test_a_weak_model_falls_back_to_one_minus_p_alive(history):
    floor = ChurnModelConfig(auc_floor=0.999)
    config = AnalysisConfig(as_of=dt.date(2023, 12, 31), churn_model=floor)

    result = analyze(
        history, customer_col="customer_id", time_col="date", amount_col="amount", config=config
    )

    info = result.overview["churn_model"]
    assert info["status"] == "weak" and info["probability_source"] == "p_alive"
    assert "CHURN_MODEL_WEAK" in [w["code"] for w in result.overview["warnings"]]
    for r in result.customers.to_pylist():
        if r["p_alive"] is not None:
            assert r["churn_probability"] == pytest.approx(1 - r["p_alive"])
    assert result.overview["churn_list"]["probability_source"] == "p_alive"


def test_a_history_too_short_for_the_horizon_skips_the_model(history):
    config = AnalysisConfig(
        as_of=dt.date(2023, 12, 31),
        churn_model=dataclasses.replace(ChurnModelConfig(), horizon_months=9),
    )

    result = analyze(
        history, customer_col="customer_id", time_col="date", amount_col="amount", config=config
    )

    assert result.overview["churn_model"]["status"] == "short_history"
    assert result.overview["churn_model"]["probability_source"] == "p_alive"
    assert all(r["churn_model_probability"] is None for r in result.customers.to_pylist())


def test_the_first_fit_reads_the_log_of_a_sample_a_little_larger_than_it_takes():
    from guanxi.analytics.pipeline.churn_step import _fit_sample
    from guanxi.analytics.pipeline.context import Run

    con = ibis.duckdb.connect()
    log = con.create_table(
        "log", pa.table({"customer_id": np.repeat(np.arange(20_000), 2)}), temp=True
    )
    run = Run(log, None)

    picked = _fit_sample(run, log, 1_000).to_pyarrow()
    customers = set(picked["customer_id"].to_pylist())
    assert 1_000 < len(customers) < 1_500
    assert picked.num_rows == 2 * len(customers)  # every row of each customer picked
    assert _fit_sample(run, log, 20_000) is log
