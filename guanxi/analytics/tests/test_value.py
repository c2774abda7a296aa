"""Value measures per customer: AUM, loans, monthly spend, tenure and profit after cost to serve."""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from guanxi.analytics.value import PROFILES, ServingCosts, ValueProfile, value_measures

AS_OF = dt.date(2026, 6, 30)
COSTS = ServingCosts(
    margins={"card": 0.01},
    balance_margins={"deposit": 0.02},
    channel_costs={"branch": 20.0, "mobile": 0.5},
    default_channel_cost=1.0,
    holding_costs={"deposit": 30.0, "card": 50.0},
)


def _measures(**tables):
    summary = ibis.memtable(
        {
            "customer_id": [1, 2],
            "revenue_12m": [1200.0, 300.0],
            "first_purchase": [dt.date(2020, 1, 1), dt.date(2026, 4, 1)],
        }
    )
    rows = value_measures(summary, as_of=AS_OF, costs=COSTS, **tables).to_pyarrow()
    return {row["customer_id"]: row for row in rows.to_pylist()}


def _balances():
    return ibis.memtable(
        {
            "customer_id": [1, 1, 1, 3],
            "kind": ["deposit", "wealth", "loan", "deposit"],
            "balance": [100_000.0, 50_000.0, 200_000.0, 5_000.0],
        }
    )


def _activity():
    return ibis.memtable(
        {
            "customer_id": [1, 2, 2, 2],
            "amount": [1200.0, 100.0, 100.0, 100.0],
            "kind": ["card", "card", "card", None],
            "channel": ["mobile", "branch", "branch", None],
        }
    )


def test_aum_is_deposit_and_wealth_balances_and_loans_are_kept_apart():
    rows = _measures(balances=_balances())
    assert rows[1]["aum"] == pytest.approx(150_000.0)
    assert rows[1]["loans"] == pytest.approx(200_000.0)


def test_a_customer_with_balances_but_no_purchase_is_measured():
    rows = _measures(balances=_balances())
    assert rows[3]["aum"] == pytest.approx(5_000.0)
    assert rows[3]["monthly_spend"] is None


def test_monthly_spend_divides_by_the_months_the_customer_has_been_one():
    rows = _measures()
    assert rows[1]["monthly_spend"] == pytest.approx(100.0)  # a whole year
    assert rows[2]["tenure_months"] == 2  # since April: two whole months, three begun
    assert rows[2]["monthly_spend"] == pytest.approx(100.0)


def test_profit_is_margins_less_the_cost_to_serve():
    rows = _measures(balances=_balances(), activity=_activity())
    # margin: 1200 x 1 % on cards + 100,000 x 2 % on the deposit; cost: one mobile
    # transaction, the deposit's and the (unlisted) wealth and loan holdings' servicing
    assert rows[1]["margin_12m"] == pytest.approx(12.0 + 2000.0)
    assert rows[1]["cost_12m"] == pytest.approx(0.5 + 30.0)
    assert rows[1]["profit_12m"] == pytest.approx(2012.0 - 30.5)
    assert rows[1]["unprofitable"] is False


def test_a_customer_served_at_the_counter_for_little_business_is_unprofitable():
    rows = _measures(activity=_activity())
    # 2 cards x 100 x 1 % + an unknown kind; two branch visits and one unknown channel
    assert rows[2]["profit_12m"] == pytest.approx(2.0 - 41.0)
    assert rows[2]["unprofitable"] is True


def test_every_profile_names_known_measures():
    assert PROFILES["bank"].measure == "aum"
    assert PROFILES["telecom"].measure == "monthly_spend"
    with pytest.raises(ValueError, match="unknown value measures"):
        ValueProfile("x", "wealth", ())


def test_only_a_profile_with_margins_or_channel_costs_prices_its_transactions():
    assert not ServingCosts().prices_transactions
    assert not PROFILES["retail"].costs.prices_transactions  # analyze-file's default
    assert PROFILES["bank"].costs.prices_transactions
    assert ServingCosts(default_channel_cost=0.5).prices_transactions
    assert not ServingCosts(holding_costs={"card": 60.0}).prices_transactions
