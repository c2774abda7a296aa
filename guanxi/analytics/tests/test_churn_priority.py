"""Value at risk and the call list: whom among the warned customers to call first."""

from __future__ import annotations

import math

import ibis
import pyarrow as pa
import pytest

from guanxi.analytics.churn_priority import ChurnPriorityConfig, churn_priority
from guanxi.analytics.tests.helpers import by_customer

# customer: warning, P(alive), revenue_12m, clv
CUSTOMERS = {
    1: (True, 0.9, 1000.0, 50.0),  # at risk 100
    2: (True, 0.2, 300.0, 10.0),  # at risk 240
    3: (True, 0.5, 0.0, 0.0),  # nothing at risk
    4: (False, 0.1, 5000.0, 20.0),  # no warning: at risk 4500 but not ranked
    5: (True, None, 800.0, None),  # no model value
    **{i: (False, 0.8, 10.0, 1.0) for i in range(6, 41)},  # 40 customers in all
}


def _table(customers: dict = CUSTOMERS) -> ibis.Table:
    ids = list(customers)
    columns = list(zip(*customers.values(), strict=True))
    return ibis.memtable(
        pa.table(
            {
                "customer_id": pa.array(ids, pa.int64()),
                "warning": pa.array(columns[0], pa.bool_()),
                "p_alive": pa.array(columns[1], pa.float64()),
                "revenue_12m": pa.array(columns[2], pa.float64()),
                "clv": pa.array(columns[3], pa.float64()),
            }
        )
    )


def _priority(share: float = 1.0, **kwargs) -> dict:
    config = ChurnPriorityConfig(list_share=share, **kwargs)
    return by_customer(churn_priority(_table(), config=config))


def test_churn_probability_is_one_minus_p_alive():
    assert _priority()[2]["churn_probability"] == pytest.approx(0.8)


def test_churn_probability_is_unknown_without_a_model_value():
    row = _priority()[5]
    assert row["churn_probability"] is None and row["value_at_risk"] is None


def test_value_at_risk_is_churn_probability_times_revenue_of_the_last_year():
    rows = _priority()
    assert rows[1]["value_at_risk"] == pytest.approx(100.0)
    assert rows[4]["value_at_risk"] == pytest.approx(4500.0)


def test_value_at_risk_measures_the_configured_value():
    assert _priority(value_col="clv")[1]["value_at_risk"] == pytest.approx(5.0)


def test_warned_customers_are_ranked_by_value_at_risk():
    rows = _priority()
    assert [rows[c]["churn_rank"] for c in (2, 1, 3)] == [1, 2, 3]


def test_warnings_without_a_model_value_rank_after_those_with_one():
    assert _priority()[5]["churn_rank"] == 4


def test_without_any_model_value_warnings_are_ranked_by_value():
    no_model = {c: (w, None, revenue, clv) for c, (w, _p, revenue, clv) in CUSTOMERS.items()}
    rows = by_customer(churn_priority(_table(no_model)))
    assert [rows[c]["churn_rank"] for c in (1, 5, 2, 3)] == [1, 2, 3, 4]


def test_customers_without_a_warning_are_not_ranked_whatever_their_value():
    rows = _priority()
    assert rows[4]["churn_rank"] is None and rows[4]["churn_priority"] is False


def test_the_call_list_is_the_configured_share_of_the_customers():
    rows = _priority(share=0.05)  # 5 % of 40 customers = 2
    assert {c for c, r in rows.items() if r["churn_priority"]} == {1, 2}


def test_the_call_list_length_rounds_up():
    rows = _priority(share=0.026)  # 1.04 customers -> 2
    assert {c for c, r in rows.items() if r["churn_priority"]} == {1, 2}


def test_customers_with_nothing_at_risk_are_never_on_the_call_list():
    assert _priority(share=1.0)[3]["churn_priority"] is False


def test_warnings_beyond_the_call_list_keep_their_rank():
    rows = _priority(share=0.025)  # 1 customer
    assert rows[1]["churn_priority"] is False and rows[1]["churn_rank"] == 2


def test_an_unknown_value_column_is_named():
    with pytest.raises(ValueError, match="balance"):
        churn_priority(_table(), config=ChurnPriorityConfig(value_col="balance"))


@pytest.mark.parametrize("share", [0.0, -0.1, 1.5, math.nan])
def test_the_call_list_share_must_be_a_share(share: float):
    with pytest.raises(ValueError, match="list_share"):
        ChurnPriorityConfig(list_share=share)
