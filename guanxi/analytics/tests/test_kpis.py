"""Monthly customer-base KPIs and cohort retention."""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pytest

from guanxi.analytics.concentration import CostToServe
from guanxi.analytics.kpis import (
    cohort_retention,
    kpi_components_by_period,
    monthly_kpis,
    period_kpi_components,
    period_kpis,
)
from guanxi.analytics.tests.helpers import tx

D = dt.date
ROWS = [
    (1, "2024-01-05", 10.0),
    (1, "2024-01-20", 20.0),
    (1, "2024-02-03", 5.0),
    (2, "2024-01-10", 8.0),
    (2, "2024-03-01", 12.0),
    (3, "2024-02-15", 30.0),
    (3, "2024-02-16", -30.0),  # a returns-only day: not a purchase
    (2, "2024-02-20", -4.0),  # customer 2 only returns goods in February: not active
]


def test_monthly_kpis_hand_computed():
    k = monthly_kpis(tx(ROWS)).to_pyarrow().to_pylist()
    assert [r["month"] for r in k] == [D(2024, 1, 1), D(2024, 2, 1), D(2024, 3, 1)]
    jan, feb, mar = k
    assert (jan["active_customers"], jan["new_customers"], jan["returning_customers"]) == (2, 2, 0)
    assert jan["retention_rate"] is None
    assert (jan["purchases"], jan["revenue"]) == (3, 38.0)
    assert jan["avg_order_value"] == pytest.approx(38 / 3)
    assert jan["revenue_per_active"] == 19.0
    assert (feb["active_customers"], feb["new_customers"], feb["retained_customers"]) == (2, 1, 1)
    assert feb["retention_rate"] == 0.5
    assert feb["revenue"] == pytest.approx(5 + 30 - 30 - 4)
    assert feb["avg_order_value"] == pytest.approx((5 + 30) / 2)
    assert (mar["active_customers"], mar["retained_customers"], mar["retention_rate"]) == (
        1,
        0,
        0.0,
    )


def test_cohort_retention_hand_computed():
    c = cohort_retention(tx(ROWS)).to_pyarrow().to_pylist()
    got = [(r["cohort"], r["period"], r["active_customers"], r["cohort_size"]) for r in c]
    assert got == [
        (D(2024, 1, 1), 0, 2, 2),
        (D(2024, 1, 1), 1, 1, 2),
        (D(2024, 1, 1), 2, 1, 2),
        (D(2024, 2, 1), 0, 1, 1),
    ]
    assert [r["retention"] for r in c] == [1.0, 0.5, 0.5, 1.0]


def test_cdnow_kpis(cdnow):
    k = monthly_kpis(cdnow).to_pandas()
    assert len(k) == 18  # January 1997 - June 1998
    assert k["new_customers"].sum() == 2357
    assert k["new_customers"].iloc[3:].sum() == 0  # all first purchases in Q1 1997
    assert k["revenue"].sum() == pytest.approx(244091.94)
    c = cohort_retention(cdnow).to_pandas()
    sizes = c.groupby("cohort")["cohort_size"].first()
    assert len(sizes) == 3 and sizes.sum() == 2357
    assert (c.loc[c.period == 0, "retention"] == 1.0).all()


# --- per-branch / per-period KPIs -----------------------------------------------------------

COLS = ("customer_id", "date", "amount", "branch", "channel")
BRANCH_ROWS = [
    (1, "2024-01-05", 100.0, "A", "branch"),
    (1, "2024-02-10", 50.0, "A", "online"),
    (2, "2024-01-20", 40.0, "A", "online"),
    (2, "2024-03-05", -10.0, "A", "branch"),  # a return only: A has a row in March, no actives
    (3, "2024-02-15", 60.0, "A", "branch"),
    (4, "2024-01-08", 80.0, "B", "online"),
    (4, "2024-04-02", 20.0, "B", "branch"),
    (5, "2024-04-10", 30.0, "B", "online"),  # the latest date: as_of defaults to 2024-04-10
]
COSTS = CostToServe(
    per_transaction={"branch": 5.0, "online": 1.0}, default_transaction_cost=2.0, gross_margin=0.5
)


def branch_tx() -> ir.Table:
    return tx(BRANCH_ROWS, COLS)


def customers_table() -> ir.Table:
    return ibis.memtable(
        {
            "customer_id": [1, 2, 3, 4, 5],
            "branch": ["A", "A", "A", "B", "B"],
            "source_channel": ["referral", "walk_in", "referral", None, "referral"],
        },
        schema={"customer_id": "int64", "branch": "string", "source_channel": "string"},
    )


def holdings_table() -> ir.Table:
    rows = [
        (1, "checking", D(2023, 6, 1)),
        (1, "card", D(2024, 2, 1)),
        (1, "card", D(2024, 2, 15)),  # the same product twice counts once
        (1, "loan", D(2024, 5, 1)),  # opened after as_of: never counted
        (3, "checking", D(2024, 2, 15)),
        (4, "checking", D(2023, 1, 1)),
        (4, "savings", D(2024, 3, 31)),  # the last day of Q1: held at the end of Q1
    ]
    return ibis.memtable(
        {
            "customer_id": [r[0] for r in rows],
            "product": [r[1] for r in rows],
            "opened_date": [r[2] for r in rows],
        },
        schema={"customer_id": "int64", "product": "string", "opened_date": "date"},
    )


def rows_by(table: ir.Table, *keys: str) -> dict:
    return {tuple(r[k] for k in keys): r for r in table.to_pyarrow().to_pylist()}


def test_monthly_kpis_churn_rate():
    k = monthly_kpis(tx(ROWS)).to_pyarrow().to_pylist()
    assert [r["churn_rate"] for r in k] == [None, 0.5, 1.0]


def test_monthly_kpis_by_branch():
    k = rows_by(monthly_kpis(branch_tx(), group_col="branch"), "branch", "month")
    assert list(k) == [
        ("A", D(2024, 1, 1)),
        ("A", D(2024, 2, 1)),
        ("A", D(2024, 3, 1)),
        ("B", D(2024, 1, 1)),
        ("B", D(2024, 4, 1)),
    ]
    a_jan, a_feb, a_mar = k["A", D(2024, 1, 1)], k["A", D(2024, 2, 1)], k["A", D(2024, 3, 1)]
    assert (a_jan["active_customers"], a_jan["new_customers"], a_jan["revenue"]) == (2, 2, 140.0)
    assert (a_jan["retention_rate"], a_jan["churn_rate"]) == (None, None)
    assert (a_feb["active_customers"], a_feb["new_customers"], a_feb["retained_customers"]) == (
        2,
        1,
        1,
    )
    assert (a_feb["retention_rate"], a_feb["churn_rate"], a_feb["revenue_per_active"]) == (
        0.5,
        0.5,
        55.0,
    )
    # only a return in March: nobody active, both February actives lost
    assert (a_mar["active_customers"], a_mar["revenue"], a_mar["revenue_per_active"]) == (
        0,
        -10.0,
        None,
    )
    assert (a_mar["retention_rate"], a_mar["churn_rate"], a_mar["avg_order_value"]) == (
        0.0,
        1.0,
        None,
    )
    b_apr = k["B", D(2024, 4, 1)]
    # nobody active in B in March: no retention rate, although customer 4 came back
    assert (b_apr["active_customers"], b_apr["new_customers"], b_apr["retention_rate"]) == (
        2,
        1,
        None,
    )


def test_monthly_kpis_null_group_is_a_group():
    rows = [(1, "2024-01-05", 10.0, None), (1, "2024-02-05", 10.0, None)]
    k = monthly_kpis(tx(rows, ("customer_id", "date", "amount", "branch")), group_col="branch")
    feb = k.to_pyarrow().to_pylist()[1]
    assert (feb["branch"], feb["retained_customers"], feb["retention_rate"]) == (None, 1, 1.0)


def test_period_kpis_monthly_by_branch_all_measures():
    k = rows_by(
        period_kpis(
            branch_tx(),
            customers=customers_table(),
            holdings=holdings_table(),
            costs=COSTS,
            channel_col="channel",
            group_col="branch",
        ),
        "branch",
        "period",
    )
    a_jan, a_feb, a_mar = k["A", D(2024, 1, 1)], k["A", D(2024, 2, 1)], k["A", D(2024, 3, 1)]
    b_jan, b_apr = k["B", D(2024, 1, 1)], k["B", D(2024, 4, 1)]
    # profit = revenue * 0.5 - (5 per branch, 1 per online transaction; the return costs too)
    got = {key: (r["cost"], r["profit"], r["profit_per_active"]) for key, r in k.items()}
    assert got == {
        ("A", D(2024, 1, 1)): (6.0, 64.0, 32.0),
        ("A", D(2024, 2, 1)): (6.0, 49.0, 24.5),
        ("A", D(2024, 3, 1)): (5.0, -10.0, None),
        ("B", D(2024, 1, 1)): (1.0, 39.0, 39.0),
        ("B", D(2024, 4, 1)): (6.0, 19.0, 9.5),
    }
    assert (a_feb["retention_rate"], a_feb["churn_rate"]) == (0.5, 0.5)
    # January: customer 1 holds checking (card opened Feb 1), customer 2 nothing
    assert (a_jan["products_per_customer"], a_jan["cross_sell_rate"]) == (0.5, 0.0)
    assert (a_feb["products_per_customer"], a_feb["cross_sell_rate"]) == (1.5, 0.5)
    assert (a_mar["products_per_customer"], a_mar["cross_sell_rate"]) == (None, None)
    assert (b_jan["products_per_customer"], b_apr["products_per_customer"]) == (1.0, 1.0)
    assert (b_jan["cross_sell_rate"], b_apr["cross_sell_rate"]) == (0.0, 0.5)
    # new: A Jan 1 (referral), 2 (walk_in); A Feb 3 (referral); B Jan 4 (null source); B Apr 5
    referrals = {key: (r["referred_customers"], r["referral_rate"]) for key, r in k.items()}
    assert referrals == {
        ("A", D(2024, 1, 1)): (1, 0.5),
        ("A", D(2024, 2, 1)): (1, 1.0),
        ("A", D(2024, 3, 1)): (0, None),  # no new customer: no rate
        ("B", D(2024, 1, 1)): (0, 0.0),
        ("B", D(2024, 4, 1)): (1, 1.0),
    }


def test_period_kpis_quarter_by_branch_and_overall():
    opts = {"customers": customers_table(), "holdings": holdings_table(), "period": "quarter"}
    k = rows_by(period_kpis(branch_tx(), group_col="branch", **opts), "branch", "period")
    a_q1, b_q1, b_q2 = k["A", D(2024, 1, 1)], k["B", D(2024, 1, 1)], k["B", D(2024, 4, 1)]
    assert list(k) == [("A", D(2024, 1, 1)), ("B", D(2024, 1, 1)), ("B", D(2024, 4, 1))]
    assert (a_q1["active_customers"], a_q1["new_customers"], a_q1["revenue"]) == (3, 3, 240.0)
    assert (a_q1["revenue_per_active"], a_q1["retention_rate"]) == (80.0, None)
    assert (a_q1["referral_rate"], b_q1["referral_rate"]) == (2 / 3, 0.0)
    assert (b_q2["retained_customers"], b_q2["retention_rate"], b_q2["churn_rate"]) == (
        1,
        1.0,
        0.0,
    )
    assert (b_q2["revenue_per_active"], b_q2["profit_per_active"]) == (25.0, 25.0)  # no costs

    q = period_kpis(branch_tx(), **opts).to_pyarrow().to_pylist()
    assert [r["period"] for r in q] == [D(2024, 1, 1), D(2024, 4, 1)]
    q1, q2 = q
    assert (q1["active_customers"], q1["new_customers"], q1["revenue_per_active"]) == (4, 4, 80.0)
    # Q1 end: customer 1 holds 2, customer 2 0, customer 3 1, customer 4 2 (savings on Mar 31)
    assert (q1["products_per_customer"], q1["cross_sell_rate"]) == (1.25, 0.5)
    assert (q1["referred_customers"], q1["referral_rate"]) == (2, 0.5)
    assert (q2["active_customers"], q2["retained_customers"]) == (2, 1)
    assert (q2["retention_rate"], q2["churn_rate"]) == (0.25, 0.75)
    assert (q2["products_per_customer"], q2["cross_sell_rate"], q2["referral_rate"]) == (
        1.0,
        0.5,
        1.0,
    )


def test_period_kpis_year_holdings_cut_at_as_of():
    opts = {"customers": customers_table(), "holdings": holdings_table(), "period": "year"}
    (y,) = period_kpis(branch_tx(), **opts).to_pyarrow().to_pylist()
    assert (y["period"], y["active_customers"], y["new_customers"]) == (D(2024, 1, 1), 5, 5)
    assert (y["revenue"], y["revenue_per_active"], y["retention_rate"]) == (370.0, 74.0, None)
    # customer 1's loan (opened after as_of 2024-04-10) is not counted: 2 + 0 + 1 + 2 + 0
    assert (y["products_per_customer"], y["cross_sell_rate"], y["referral_rate"]) == (
        1.0,
        0.4,
        0.6,
    )
    (later,) = period_kpis(branch_tx(), as_of="2024-12-31", **opts).to_pyarrow().to_pylist()
    assert later["products_per_customer"] == 1.2


def test_period_kpis_group_from_customers_table():
    no_branch = tx([r[:3] for r in BRANCH_ROWS])
    opts = {"customers": customers_table(), "holdings": holdings_table(), "group_col": "branch"}
    from_customers = period_kpis(no_branch, **opts).to_pyarrow().to_pylist()
    from_tx = period_kpis(branch_tx(), **opts).to_pyarrow().to_pylist()
    assert from_customers == from_tx
    assert [r["branch"] for r in from_customers] == ["A", "A", "A", "B", "B"]


def test_period_kpis_without_optional_tables_gives_nulls():
    k = period_kpis(branch_tx(), group_col="branch").to_pyarrow().to_pylist()
    for r in k:
        assert r["products_per_customer"] is None and r["cross_sell_rate"] is None
        assert r["referred_customers"] is None and r["referral_rate"] is None
        assert r["cost"] == 0.0 and r["profit"] == r["revenue"]
    # customers only for the group: no referral rate without a source column
    k = period_kpis(
        tx([r[:3] for r in BRANCH_ROWS]),
        customers=customers_table().drop("source_channel"),
        group_col="branch",
        source_col=None,
    )
    assert {r["referral_rate"] for r in k.to_pyarrow().to_pylist()} == {None}


@pytest.mark.parametrize(
    ("make_kwargs", "name"),
    [
        (lambda: {"group_col": "region"}, "region"),
        (lambda: {"channel_col": "chan"}, "chan"),
        (lambda: {"customer_col": "client"}, "client"),
        (lambda: {"holdings": holdings_table().drop("opened_date")}, "opened_date"),
        (lambda: {"customers": customers_table().drop("source_channel")}, "source_channel"),
        (lambda: {"period": "week"}, "week"),
        # the group comes from customers; the customer column is in neither table
        (
            lambda: {"customers": customers_table(), "group_col": "branch", "customer_col": "cid"},
            "cid",
        ),
    ],
)
def test_period_kpis_wrong_names_raise(make_kwargs, name):
    with pytest.raises(ValueError, match=name):
        period_kpis(branch_tx(), **make_kwargs()).execute()


def test_monthly_kpis_wrong_group_col_raises():
    with pytest.raises(ValueError, match="region"):
        monthly_kpis(branch_tx(), group_col="region")


def test_period_kpi_components_of_groups_add_up_to_the_whole():
    no_branch = tx([r[:3] for r in BRANCH_ROWS])  # each customer in one branch, its home
    opts = {"customers": customers_table(), "holdings": holdings_table(), "costs": COSTS}
    parts = period_kpi_components(no_branch, group_col="branch", **opts).to_pyarrow()
    whole = period_kpi_components(no_branch, **opts).to_pyarrow().to_pylist()
    additive = [c for c in parts.column_names if c not in ("branch", "period", "previous_active")]
    for row in whole:
        cells = [r for r in parts.to_pylist() if r["period"] == row["period"]]
        for name in additive:
            assert sum(r[name] for r in cells) == pytest.approx(row[name]), name
    # the whole's previous_active is its groups' active customers of the period before
    actives = {row["period"]: row["active_customers"] for row in whole}
    months = sorted(actives)
    for before, now in zip(months, months[1:], strict=False):
        expected = actives[before] if (now.month - before.month) == 1 else 0
        assert next(r for r in whole if r["period"] == now)["previous_active"] == expected


def test_kpi_components_by_period_equal_each_period_computed_alone():
    opts = {
        "customers": customers_table(),
        "holdings": holdings_table(),
        "costs": COSTS,
        "channel_col": "channel",
        "group_col": "branch",
    }
    together = kpi_components_by_period(branch_tx(), **opts).to_pyarrow().to_pylist()
    for kind in ("month", "quarter", "year"):
        alone = period_kpi_components(branch_tx(), period=kind, **opts).to_pyarrow().to_pylist()
        mine = [{k: v for k, v in r.items() if k != "period_kind"} for r in together]
        assert [
            r for r, full in zip(mine, together, strict=True) if full["period_kind"] == kind
        ] == [pytest.approx(r) for r in alone], kind
    assert [r["period_kind"] for r in together][0] == "month"


def test_kpi_profit_uses_each_rows_margin_rate_and_channel_cost():
    table = branch_tx().mutate(
        margin_rate=ibis.ifelse(ibis._.channel == "branch", 0.1, ibis.null("float64"))
    )
    k = rows_by(
        period_kpi_components(
            table, costs=COSTS, channel_col="channel", margin_col="margin_rate", period="year"
        ),
        "period",
    )[(D(2024, 1, 1),)]
    # branch rows earn 10 % (100 - 10 + 60 + 20), the others the gross margin of 50 %
    earned = 0.1 * (100 - 10 + 60 + 20) + 0.5 * (50 + 40 + 80 + 30)
    assert k["cost"] == 4 * 5.0 + 4 * 1.0
    assert k["profit"] == pytest.approx(earned - 24.0)
