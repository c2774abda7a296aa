"""Discounted customer lifetime value and the calibration summary."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from guanxi.analytics.clv import (
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
    calibration_summary,
    customer_lifetime_value,
)
from guanxi.analytics.clv.clv import UNITS_PER_MONTH


def first_rows(summary: pd.DataFrame, n: int) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Frequency, recency and T of the first ``n`` customers of a summary."""
    return summary["frequency"][:n], summary["recency"][:n], summary["T"][:n]


@pytest.fixture(scope="module")
def bgnbd(cdnow: pd.DataFrame) -> BetaGeoFitter:
    return BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_undiscounted_clv_is_expected_purchases_times_value(
    bgnbd: BetaGeoFitter, cdnow: pd.DataFrame
) -> None:
    head = first_rows(cdnow, 20)
    clv = customer_lifetime_value(bgnbd, *head, np.full(20, 10.0), 12, 0.0, "week")
    expected = bgnbd.conditional_expected_number_of_purchases_up_to_time(
        12 * UNITS_PER_MONTH["week"], *head
    )
    np.testing.assert_allclose(clv, 10 * expected, rtol=1e-12)


@pytest.mark.parametrize("model", [BetaGeoFitter, ModifiedBetaGeoFitter])
def test_expected_purchases_over_several_horizons_are_each_horizons_own(
    model: type[BetaGeoFitter], cdnow: pd.DataFrame
) -> None:
    # Several horizons at once are computed once per distinct (frequency, T) pair: every
    # customer of CDNOW must still get exactly the number one horizon at a time gives.
    fitted = model().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    history = (cdnow["frequency"], cdnow["recency"], cdnow["T"])
    horizons = np.array([0.0, 4.3, 26.0, 52.0])

    together = fitted.conditional_expected_number_of_purchases_up_to_time(
        horizons[:, None], *history
    )

    assert len(np.unique(np.column_stack([cdnow["frequency"], cdnow["T"]]), axis=0)) < len(
        cdnow
    )  # pairs are shared, so the distinct-pair path is taken
    for row, horizon in zip(together, horizons, strict=True):
        alone = fitted.conditional_expected_number_of_purchases_up_to_time(horizon, *history)
        np.testing.assert_array_equal(row, alone)


def test_discounting_and_horizon(bgnbd: BetaGeoFitter, cdnow: pd.DataFrame) -> None:
    head = first_rows(cdnow, 20)
    value = np.full(20, 10.0)
    one_month = customer_lifetime_value(bgnbd, *head, value, 1, 0.05, "week")
    month_purchases = bgnbd.conditional_expected_number_of_purchases_up_to_time(
        UNITS_PER_MONTH["week"], *head
    )
    np.testing.assert_allclose(one_month, 10 * month_purchases / 1.05, rtol=1e-12)
    short = customer_lifetime_value(bgnbd, *head, value, 12, 0.01, "week")
    long = customer_lifetime_value(bgnbd, *head, value, 24, 0.01, "week")
    assert np.all(long > short)
    assert np.all(customer_lifetime_value(bgnbd, *head, value, 12, 0.05, "week") < short)


def test_gammagamma_clv_uses_expected_profit(cdnow: pd.DataFrame) -> None:
    repeat = cdnow[cdnow["frequency"] > 0]
    spend = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    purchases = ParetoNBDFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    x, t_x, age, value = (cdnow[c] for c in ("frequency", "recency", "T", "monetary_value"))
    clv = spend.customer_lifetime_value(purchases, x, t_x, age, value, 12, 0.01, "week")
    profit = spend.conditional_expected_average_profit(x, value)
    np.testing.assert_allclose(
        clv, customer_lifetime_value(purchases, x, t_x, age, profit, 12, 0.01, "week")
    )
    assert clv.shape == (2357,) and np.all(np.isfinite(clv)) and np.all(clv >= 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_unit": "fortnight"}, "time_unit must be one of"),
        ({"time_horizon_months": 0}, "positive whole number"),
        ({"discount_rate": np.nan}, "discount_rate must be"),
    ],
)
def test_clv_bad_arguments(bgnbd: BetaGeoFitter, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        customer_lifetime_value(bgnbd, [1], [1], [2], [10.0], **kwargs)


def test_calibration_summary_matches_independent_fixture(
    cdnow_transactions: pd.DataFrame, cdnow: pd.DataFrame
) -> None:
    tx = cdnow_transactions.assign(date=pd.to_datetime(cdnow_transactions["date"], format="%Y%m%d"))
    summary = calibration_summary(
        tx,
        customer_col="customer",
        date_col="date",
        amount_col="amount",
        calibration_end=dt.date(1997, 9, 30),
        time_unit="week",
    )
    pd.testing.assert_frame_equal(summary, cdnow, check_names=False)


def test_calibration_summary_conventions() -> None:
    tx = pd.DataFrame(
        {
            "c": ["a", "a", "a", "a", "b"],
            "d": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 17:00",
                    "2024-01-08 00:00",
                    "2024-02-01 00:00",
                    "2024-01-05 00:00",
                ]
            ),
            "v": [10.0, 5.0, 20.0, 99.0, 7.0],
        }
    )
    summary = calibration_summary(
        tx,
        customer_col="c",
        date_col="d",
        amount_col="v",
        calibration_end=dt.date(2024, 1, 15),
        time_unit="day",
    )
    # Same-day purchases merge; the purchase after the calibration end is ignored.
    assert summary.loc["a"].to_dict() == {
        "frequency": 1.0,
        "recency": 7.0,
        "T": 14.0,
        "monetary_value": 20.0,
    }
    assert summary.loc["b"].to_dict() == {
        "frequency": 0.0,
        "recency": 0.0,
        "T": 10.0,
        "monetary_value": 0.0,
    }


def test_calibration_summary_bad_input() -> None:
    tx = pd.DataFrame({"c": ["a"], "d": ["2024-01-01"]})
    with pytest.raises(ValueError, match="missing column"):
        calibration_summary(tx, customer_col="x", date_col="d", calibration_end=dt.date(2024, 2, 1))
    with pytest.raises(ValueError, match="must hold dates"):
        calibration_summary(tx, customer_col="c", date_col="d", calibration_end=dt.date(2024, 2, 1))
    tx["d"] = pd.to_datetime(tx["d"])
    with pytest.raises(ValueError, match="no transactions on or before"):
        calibration_summary(tx, customer_col="c", date_col="d", calibration_end=dt.date(2023, 1, 1))
