"""Customer summary: hand-computed small tables, bad input, and the CDNOW reference facts."""

from __future__ import annotations

import dataclasses
import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd
import pytest

from guanxi.analytics.summary import (
    customer_summary,
    duplicate_rows,
    input_report,
    monthly_spend,
)
from guanxi.analytics.tests.helpers import by_customer, tx

D = dt.date

# Customer 1: a same-day pair, a purchase with a same-day return, a returns-only day, a
# zero-price purchase and a future row. Customer 2: returns only. Customer 3: one purchase
# on as_of. Customer 4: an exact duplicate row. Plus a null customer and a null amount.
ROWS = [
    (1, "2024-01-01", 10.0),
    (1, "2024-01-01", 5.0),
    (1, "2024-01-11", 20.0),
    (1, "2024-01-11", -4.0),
    (1, "2024-01-21", -7.0),
    (1, "2024-02-10", 0.0),
    (1, "2024-04-15", 99.0),
    (2, "2024-02-01", -5.0),
    (3, "2024-03-31", 30.0),
    (None, "2024-01-05", 3.0),
    (3, "2024-01-05", None),
    (4, "2024-02-01", 12.0),
    (4, "2024-03-01", 8.0),
    (4, "2024-03-01", 8.0),
]
AS_OF = "2024-03-31"


def test_summary_hand_computed_day_unit():
    s = by_customer(customer_summary(tx(ROWS), as_of=AS_OF))
    assert set(s) == {1, 3, 4}  # customer 2 only returned goods: not a purchaser
    c1 = s[1]
    assert c1["first_purchase"] == D(2024, 1, 1)
    assert c1["last_purchase"] == D(2024, 2, 10)  # the zero-price day is a purchase
    assert c1["n_purchases"] == 3
    assert c1["frequency"] == 2
    assert c1["recency"] == 40.0
    assert c1["T"] == 90.0  # 2024 is a leap year
    assert c1["days_since_last"] == 50
    assert c1["monetary_value"] == pytest.approx((20.0 + 0.0) / 2)  # returns do not reduce it
    assert c1["total_revenue"] == pytest.approx(15 + 16 - 7 + 0)  # net, future row excluded
    assert c1["n_transactions"] == 6
    assert c1["revenue_12m"] == pytest.approx(24.0)
    assert c1["purchases_12m"] == 3
    c3 = s[3]
    assert (c3["frequency"], c3["recency"], c3["T"], c3["monetary_value"]) == (0, 0.0, 0.0, 0.0)
    assert c3["days_since_last"] == 0
    assert c3["total_revenue"] == 30.0  # the null-amount row is dropped
    c4 = s[4]
    assert c4["frequency"] == 1
    assert c4["monetary_value"] == pytest.approx(16.0)  # duplicates kept by default
    assert c4["total_revenue"] == pytest.approx(28.0)
    assert c4["n_transactions"] == 3


def test_summary_drop_duplicates():
    s = by_customer(customer_summary(tx(ROWS), as_of=AS_OF, drop_duplicates=True))
    assert s[4]["monetary_value"] == pytest.approx(8.0)
    assert s[4]["total_revenue"] == pytest.approx(20.0)
    assert s[4]["n_transactions"] == 2
    assert s[4]["frequency"] == 1  # same-day merge: duplicates never change frequency


def test_summary_week_unit_is_continuous():
    s = by_customer(customer_summary(tx(ROWS), as_of=AS_OF, time_unit="week"))
    assert s[1]["recency"] == pytest.approx(40 / 7)
    assert s[1]["T"] == pytest.approx(90 / 7)
    assert s[1]["days_since_last"] == 50  # always in days


def test_summary_recent_window():
    s = by_customer(customer_summary(tx(ROWS), as_of=AS_OF, recent_window_days=60))
    # window 2024-02-01 .. 2024-03-31 holds only the zero-price purchase of customer 1
    assert s[1]["revenue_12m"] == 0.0
    assert s[1]["purchases_12m"] == 1
    assert s[4]["revenue_12m"] == pytest.approx(28.0)


def test_summary_calibration_holdout():
    s = by_customer(customer_summary(tx(ROWS), as_of=AS_OF, calibration_end="2024-01-31"))
    assert set(s) == {1}  # customers 3 and 4 first bought after the calibration end
    c1 = s[1]
    assert (c1["frequency"], c1["recency"], c1["T"]) == (1, 10.0, 30.0)
    assert c1["monetary_value"] == pytest.approx(20.0)
    assert c1["total_revenue"] == pytest.approx(24.0)
    assert c1["frequency_holdout"] == 1
    assert c1["spend_holdout"] == 0.0
    assert c1["duration_holdout"] == 60.0


def test_summary_default_as_of_is_latest_date():
    s = by_customer(customer_summary(tx(ROWS)))
    # latest usable date is 2024-04-15 (customer 1's row is then not in the future)
    assert s[1]["last_purchase"] == D(2024, 4, 15)
    assert s[3]["days_since_last"] == 15


def test_summary_timestamp_and_string_time_columns():
    base = tx(ROWS)
    ts = base.mutate(date=base.date.cast("timestamp") + ibis.interval(hours=13))
    st = base.mutate(date=base.date.cast("string"))
    expected = customer_summary(base, as_of=AS_OF).order_by("customer_id").to_pandas()
    for t in (ts, st):
        got = customer_summary(t, as_of=AS_OF).order_by("customer_id").to_pandas()
        pd.testing.assert_frame_equal(got, expected)


def test_summary_product_and_channel_counts():
    rows = [
        (1, "2024-01-01", 5.0, "p1", "web"),
        (1, "2024-01-02", 5.0, "p1", "branch"),
        (1, "2024-01-03", 5.0, "p2", None),
        (2, "2024-01-01", 5.0, None, "web"),
    ]
    t = tx(rows, ("customer_id", "date", "amount", "product", "channel"))
    s = by_customer(customer_summary(t, product_col="product", channel_col="channel"))
    assert (s[1]["n_products"], s[1]["n_channels"]) == (2, 2)
    assert (s[2]["n_products"], s[2]["n_channels"]) == (0, 1)


def test_input_report_counts():
    r = input_report(tx(ROWS), as_of=AS_OF)
    assert r.rows_in == 14
    assert r.null_customer_rows == 1
    assert r.null_time_rows == 0
    assert r.null_amount_rows == 1
    assert r.future_rows == 1
    assert r.rows_used == 11
    assert r.duplicate_rows == 1
    assert r.return_rows == 3
    assert r.zero_amount_rows == 1
    assert r.as_of == D(2024, 3, 31)


def test_monthly_spend():
    m = monthly_spend(tx(ROWS), as_of=AS_OF).to_pyarrow().to_pylist()
    got = {(r["customer_id"], r["month"]): (r["spend"], r["n_purchases"]) for r in m}
    assert got == {
        (1, D(2024, 1, 1)): (24.0, 2),
        (1, D(2024, 2, 1)): (0.0, 1),
        (2, D(2024, 2, 1)): (-5.0, 0),
        (3, D(2024, 3, 1)): (30.0, 1),
        (4, D(2024, 2, 1)): (12.0, 1),
        (4, D(2024, 3, 1)): (16.0, 1),
    }


def test_empty_table_is_a_clear_error():
    with pytest.raises(ValueError, match="empty"):
        customer_summary(tx([]))


def test_no_usable_rows_is_a_clear_error():
    with pytest.raises(ValueError, match="no usable rows"):
        customer_summary(tx([(None, "2024-01-01", 1.0)]))
    with pytest.raises(ValueError, match="after as_of"):
        customer_summary(tx([(1, "2024-05-01", 1.0)]), as_of="2024-01-01")


def test_wrong_column_name_is_named():
    with pytest.raises(ValueError, match="'cust'"):
        customer_summary(tx(ROWS), customer_col="cust")
    with pytest.raises(ValueError, match="'sku'"):
        customer_summary(tx(ROWS), product_col="sku")


def test_bad_parameters():
    with pytest.raises(ValueError, match="time_unit"):
        customer_summary(tx(ROWS), time_unit="month")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="calibration_end"):
        customer_summary(tx(ROWS), as_of=AS_OF, calibration_end="2024-06-01")
    with pytest.raises(ValueError, match="numeric"):
        t = tx(ROWS)
        customer_summary(t.mutate(amount=t.amount.cast("string")))


# --- CDNOW: the reference facts of Fader, Hardie & Lee (2005) --------------------------


def _cdnow_summary(table):
    return customer_summary(
        table, as_of="1998-06-30", calibration_end="1997-09-30", time_unit="week"
    )


def test_cdnow_reference_counts(cdnow):
    s = _cdnow_summary(cdnow).to_pandas()
    assert len(s) == 2357
    assert s["frequency"].sum() == 2457
    assert (s["frequency"] > 0).sum() == 946
    # mean repeat spend of the 946 (same-day merged), checked independently below
    assert s.loc[s.frequency > 0, "monetary_value"].mean() == pytest.approx(35.077847533, 1e-9)
    assert s["frequency_holdout"].sum() == 1882
    assert (s["frequency_holdout"] > 0).sum() == 684
    assert s["spend_holdout"].sum() == pytest.approx(70976.39)
    assert s["duration_holdout"].unique().tolist() == [39.0]
    assert s["T"].sum() == pytest.approx(77111.2857142857)
    assert s["recency"].sum() == pytest.approx(16135.5714285714)
    c4 = s.set_index("customer_id").loc[4]
    assert c4["frequency"] == 2
    assert c4["recency"] == pytest.approx(213 / 7)
    assert c4["T"] == pytest.approx(272 / 7)
    assert c4["monetary_value"] == pytest.approx((29.73 + 14.96) / 2)
    assert c4["frequency_holdout"] == 1
    assert c4["spend_holdout"] == pytest.approx(26.48)


def test_cdnow_matches_plain_pandas(cdnow, cdnow_df):
    """An independent pandas computation of frequency and monetary value agrees exactly."""
    cal = cdnow_df[cdnow_df["date"] <= D(1997, 9, 30)]
    daily = cal.groupby(["customer_id", "date"], as_index=False)["amount"].sum()
    daily = daily.sort_values(["customer_id", "date"])
    daily["k"] = daily.groupby("customer_id").cumcount()
    expected_freq = daily.groupby("customer_id")["k"].max()
    expected_mon = daily[daily.k > 0].groupby("customer_id")["amount"].mean()
    s = _cdnow_summary(cdnow).to_pandas().set_index("customer_id")
    assert (s["frequency"].sort_index() == expected_freq.sort_index()).all()
    got = s.loc[expected_mon.index, "monetary_value"]
    assert (got - expected_mon).abs().max() < 1e-9


def test_cdnow_input_report(cdnow):
    r = input_report(cdnow)
    assert r.rows_in == 6919
    assert r.zero_amount_rows == 8  # eight $0 first purchases: kept as purchases
    assert r.duplicate_rows == 21
    assert r.as_of == D(1998, 6, 30)


def test_cdnow_identical_on_sqlite_backend(cdnow, cdnow_df):
    """The same expressions give identical results on a second Ibis backend (SQLite)."""
    pytest.importorskip("ibis.backends.sqlite")
    con = ibis.sqlite.connect()
    lite = con.create_table("cdnow", cdnow_df)
    a = _cdnow_summary(cdnow).to_pandas().sort_values("customer_id").reset_index(drop=True)
    b = _cdnow_summary(lite).to_pandas().sort_values("customer_id").reset_index(drop=True)
    for col in ("first_purchase", "last_purchase"):
        a[col] = pd.to_datetime(a[col])
        b[col] = pd.to_datetime(b[col])
    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-12)


def _on_sqlite(rows: list[tuple]) -> ir.Table:
    pytest.importorskip("ibis.backends.sqlite")
    t = tx(rows)
    return ibis.sqlite.connect().create_table("rows", t.to_pyarrow())


@pytest.mark.parametrize(
    "rows",
    [ROWS, [r for r in ROWS if r[2] != 0.0]],
    ids=["with a free purchase", "without free purchases"],
)
@pytest.mark.parametrize("calibration_end", [None, "2024-01-31"])
def test_the_summary_from_customer_lists_equals_the_one_from_daily_totals(rows, calibration_end):
    """DuckDB counts days from a list per customer, SQLite from a table of days."""
    options = dict(as_of=AS_OF, calibration_end=calibration_end, paid_days=True)
    lists = customer_summary(tx(rows), **options).order_by("customer_id").to_pandas()
    days = customer_summary(_on_sqlite(rows), **options).order_by("customer_id").to_pandas()
    for col in ("first_purchase", "last_purchase", "first_paid", "last_paid"):
        lists[col], days[col] = pd.to_datetime(lists[col]), pd.to_datetime(days[col])
    pd.testing.assert_frame_equal(lists, days, check_dtype=False)
    assert len(lists) > 0
    assert lists["paid_days"].sum() > 0


def test_a_free_purchase_day_is_a_purchase_day_but_not_a_paid_one():
    s = by_customer(customer_summary(tx(ROWS), as_of=AS_OF, paid_days=True))
    assert (s[1]["n_purchases"], s[1]["paid_days"]) == (3, 2)
    assert (s[1]["last_purchase"], s[1]["last_paid"]) == (D(2024, 2, 10), D(2024, 1, 11))


def test_duplicate_rows_are_counted_exactly_whatever_the_customer():
    rows = [
        *ROWS,
        (None, "2024-01-05", 3.0),  # a copy of the null customer's row
        (None, "2024-01-06", 3.0),
        (5, "2024-01-01", 1.0),
        (5, "2024-01-01", 1.0),
        (5, "2024-01-01", 1.0),
        (5, "2024-01-01", 2.0),
    ]
    assert duplicate_rows(tx(rows), "customer_id") == 4  # customer 4: 1, null: 1, 5: 2
    assert duplicate_rows(_on_sqlite(rows), "customer_id") == 4
    assert duplicate_rows(tx([r for r in ROWS if r[0] != 4]), "customer_id") == 0


def test_a_summary_given_the_input_report_equals_one_that_counts_again():
    t = tx(ROWS)
    report = input_report(t, as_of=AS_OF)
    given = customer_summary(t, paid_days=True, report=report).order_by("customer_id")
    counted = customer_summary(t, as_of=AS_OF, paid_days=True).order_by("customer_id")
    pd.testing.assert_frame_equal(given.to_pandas(), counted.to_pandas())
    with pytest.raises(ValueError, match="not the report's as_of"):
        customer_summary(t, as_of="2024-03-30", report=report)


def test_a_summary_given_the_input_report_reads_its_counts_instead_of_counting():
    t = tx(ROWS)
    told_no_free_rows = dataclasses.replace(input_report(t, as_of=AS_OF), zero_amount_rows=0)
    s = by_customer(customer_summary(t, paid_days=True, report=told_no_free_rows))
    assert s[1]["paid_days"] == s[1]["n_purchases"] == 3  # the free day is taken as paid
