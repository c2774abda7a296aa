"""The churn call list as written back: value at risk, rank and the list, by share or per
account manager."""

import math

import duckdb
import pyarrow as pa
import pytest
from django.db.models import Count, Q

from guanxi.analytics.pipeline import assemble
from guanxi.analytics.pipeline.churn_step import MODEL_COLUMNS
from guanxi.insights import services
from guanxi.insights.config import WriteBackConfig
from guanxi.insights.models import CustomerScore
from guanxi.insights.results import score_rows

# customer id: (owner, branch, churn rank (None = no warning), value at risk)
BOOK = {
    1: (10, 1, 1, 900.0),
    2: (10, 1, 2, 800.0),
    3: (10, 1, 4, 600.0),
    4: (20, 1, 3, 700.0),
    5: (20, 1, None, 5000.0),  # no warning: never listed
    6: (None, 1, 5, 500.0),
    7: (None, 1, 6, 400.0),
    8: (None, 2, 7, 300.0),
    9: (20, 2, 8, 0.0),  # nothing at risk: never listed
}


def _scores(config: WriteBackConfig, library_list: set[int] = frozenset()) -> dict[int, dict]:
    """score_rows on the BOOK (the library's own list = ``library_list``), by customer."""
    ids = list(BOOK)
    owners, branches, ranks, at_risk = (list(column) for column in zip(*BOOK.values(), strict=True))
    names = (*assemble.CUSTOMER_COLUMNS, *MODEL_COLUMNS)
    columns = {name: pa.nulls(len(ids)) for name in names}
    columns |= {
        "customer_id": pa.array(ids, pa.int64()),
        "churn_warning": pa.array([rank is not None for rank in ranks]),
        "churn_severity": pa.array([1] * len(ids), pa.int64()),
        "churn_rank": pa.array(ranks, pa.int64()),
        "value_at_risk": pa.array(at_risk, pa.float64()),
        "churn_probability": pa.array([0.5] * len(ids), pa.float64()),
        "revenue_12m": pa.array([2 * v for v in at_risk], pa.float64()),
        "churn_priority": pa.array([c in library_list for c in ids]),
        "churn_reason_codes": pa.array([[] for _ in ids], pa.list_(pa.string())),
        "clv": pa.array([1.0] * len(ids), pa.float64()),
        "score": pa.array([1.0] * len(ids), pa.float64()),
    }
    con = duckdb.connect()
    con.register(
        "snapshot",
        pa.table(
            {
                "customer_id": pa.array(ids, pa.int64()),
                "branch_id": pa.array(branches, pa.int64()),
                "owner_id": pa.array(owners, pa.int64()),
                "status": pa.array(["repeat"] * len(ids)),
            }
        ),
    )
    con.execute("CREATE TABLE customers AS SELECT * FROM snapshot")
    rows = score_rows(con, pa.table(columns), 1, config).to_pylist()
    return {row["customer_id"]: row for row in rows}


def listed(rows: dict[int, dict]) -> set[int]:
    return {c for c, row in rows.items() if row["churn_priority"]}


def test_by_default_the_call_list_is_the_analysis_own():
    rows = _scores(WriteBackConfig(), library_list={1, 2})

    assert listed(rows) == {1, 2}
    assert rows[3]["churn_rank"] == 4 and rows[3]["value_at_risk"] == 600.0


def test_a_cap_per_account_manager_lists_each_account_managers_first_warnings():
    rows = _scores(WriteBackConfig(churn_calls_per_owner=2), library_list={1, 2})

    # owner 10's first two (not the third), owner 20's one at risk, and the customers
    # without an account manager: two in branch 1, one in branch 2
    assert listed(rows) == {1, 2, 4, 6, 7, 8}


def test_customers_without_an_account_manager_are_capped_per_branch():
    rows = _scores(WriteBackConfig(churn_calls_per_owner=1))

    assert listed(rows) == {1, 4, 6, 8}  # owners 10 and 20, branches 1 and 2


def test_a_cap_per_account_manager_leaves_out_customers_with_nothing_at_risk():
    rows = _scores(WriteBackConfig(churn_calls_per_owner=5))

    assert 9 not in listed(rows) and 5 not in listed(rows)


# --- a whole run on the demo store ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_run_writes_value_at_risk_rank_and_the_call_list(demo_store):
    run = services.run_analysis()

    scores = CustomerScore.objects.filter(run=run)
    model_used = run.overview["churn_model"]["probability_source"] == "model"
    for s in scores.exclude(p_alive=None):
        expected = s.churn_model_probability if model_used else None
        assert s.churn_probability == pytest.approx(
            expected if expected is not None else 1 - s.p_alive
        )
        # the demo is a bank: what a leaving customer takes away is their AUM
        assert s.value_at_risk == pytest.approx(s.churn_probability * s.aum)
    assert not scores.filter(churn_warning=False, churn_rank__isnull=False).exists()
    assert not scores.filter(churn_warning=True, churn_rank=None).exists()
    listed = scores.filter(churn_priority=True)
    assert 0 < listed.count() <= math.ceil(0.05 * run.overview["n_customers"])
    assert run.counts["churn_calls"] == listed.count()
    assert not scores.filter(churn_priority=None).exists()


@pytest.mark.django_db(transaction=True)
def test_a_run_caps_the_call_list_per_account_manager(demo_store, settings):
    settings.GUANXI_INSIGHTS = {"churn_calls_per_owner": 3}

    run = services.run_analysis()

    per_owner = (
        CustomerScore.objects.filter(run=run, customer__owner__isnull=False)
        .values("customer__owner")
        .annotate(calls=Count("id", filter=Q(churn_priority=True)))
    )
    assert {row["calls"] for row in per_owner} <= {0, 1, 2, 3}
    assert max(row["calls"] for row in per_owner) == 3
    assert run.parameters["write_back"]["churn_calls_per_owner"] == 3


@pytest.mark.django_db(transaction=True)
def test_the_value_measure_and_list_share_come_from_the_settings(demo_store, settings):
    settings.GUANXI_INSIGHTS = {"churn_value_measure": "clv", "churn_list_share": 0.02}

    run = services.run_analysis()

    for s in CustomerScore.objects.filter(run=run).exclude(clv=None)[:100]:
        assert s.value_at_risk == pytest.approx(s.churn_probability * s.clv)
    calls = CustomerScore.objects.filter(run=run, churn_priority=True).count()
    assert 0 < calls <= math.ceil(0.02 * run.overview["n_customers"])
