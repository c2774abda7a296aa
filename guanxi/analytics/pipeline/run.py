"""The run itself: :func:`analyze` and the order of its steps."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from guanxi.analytics.churn.store_features import StoreTables
from guanxi.analytics.churn_priority import churn_priority
from guanxi.analytics.churn_rules import churn_warnings, judged_month
from guanxi.analytics.pipeline.assemble import (
    AnalysisResult,
    aggregates,
    assemble_customers,
    build_overview,
)
from guanxi.analytics.pipeline.churn_step import (
    MODEL_PROBABILITY,
    attach_model_columns,
    churn_model_step,
    with_model_probability,
)
from guanxi.analytics.pipeline.clv_fit import MODEL_INPUTS, fit_models, model_table
from guanxi.analytics.pipeline.config import AMOUNT, CUSTOMER, DAY, AnalysisConfig
from guanxi.analytics.pipeline.context import STEPS, Run
from guanxi.analytics.pipeline.prepare import (
    calendar_day,
    check_time_text,
    input_warnings,
    monthly_window,
    prepare,
    rename_customer,
)
from guanxi.analytics.pyramid import customer_pyramid
from guanxi.analytics.rfm import rfm_scores
from guanxi.analytics.scoring import score_customers
from guanxi.analytics.summary import customer_summary, input_report, require_columns
from guanxi.analytics.value import value_measures


def analyze(
    transactions: ir.Table,
    *,
    customer_col: str,
    time_col: str,
    amount_col: str,
    config: AnalysisConfig | None = None,
    holdings: ir.Table | None = None,
    status: ir.Table | None = None,
    balances: ir.Table | None = None,
    kind_col: str | None = None,
    channel_col: str | None = None,
    store: StoreTables | None = None,
    progress: Callable[[str], None] | None = None,
) -> AnalysisResult:
    """Run the whole analysis on a transaction log (see the module docstring).

    Args:
        transactions: one row per transaction line; the time column may be a date, a
            timestamp or an ISO date string, the amount numeric (negative = a return).
        customer_col, time_col, amount_col: its column names.
        config: settings (default :class:`AnalysisConfig`).
        holdings: optional ``<customer_col>, <config.pyramid.holdings_col>`` for the pyramid.
        status: optional ``<customer_col>, <config.pyramid.status_col>`` for the pyramid.
        balances: optional open holdings ``<customer_col>, kind, balance`` for AUM, loans and
            the margin and servicing cost of balances (:mod:`guanxi.analytics.value`).
        kind_col, channel_col: optional product kind and channel columns of
            ``transactions``, for the margin and cost to serve of each transaction.
        store: optional tables of the store (holdings, contacts, lifecycle, customers; keyed
            ``customer_id``) for the churn model's features; without them it learns from
            the transactions alone.
        progress: called with a :data:`STEPS` code as each step starts.

    The run creates (and drops) temporary tables on the transactions' backend connection;
    concurrent runs should each use their own connection (a DuckDB connection runs one
    query at a time, and in-memory tables without a connection use Ibis's default one).

    Raises:
        ValueError: a missing or mistyped column, a text date that is not ISO, an empty
            table or one with no usable row (every row has a null customer, time or amount,
            or is after ``as_of``).
    """
    cfg = config or AnalysisConfig()
    require_columns(transactions, customer_col, time_col, amount_col, what="transactions")
    run = Run(transactions, progress)
    sources = Sources(transactions, holdings, status, balances, kind_col, channel_col, store)
    try:
        return _analyze(run, sources, customer_col, time_col, amount_col, cfg)
    finally:
        run.drop_scratch()


@dataclass(frozen=True)
class Sources:
    """The tables a run reads besides its settings."""

    transactions: ir.Table
    holdings: ir.Table | None
    status: ir.Table | None
    balances: ir.Table | None
    kind_col: str | None
    channel_col: str | None
    store: StoreTables | None

    def activity(self, customer_col: str, day: ir.DateValue, amount_col: str, since: dt.date):
        """The transactions from ``since`` on (``day``: each row's :func:`calendar_day`) with
        their kind and channel (null if not given), as
        :func:`~guanxi.analytics.value.value_measures` reads them."""
        t = self.transactions
        none = ibis.null("string")
        return t.filter(day >= since).select(
            **{CUSTOMER: t[customer_col]},
            amount=t[amount_col],
            kind=t[self.kind_col].cast("string") if self.kind_col else none,
            channel=t[self.channel_col].cast("string") if self.channel_col else none,
        )


def _analyze(
    run: Run,
    sources: Sources,
    customer_col: str,
    time_col: str,
    amount_col: str,
    cfg: AnalysisConfig,
) -> AnalysisResult:
    transactions = sources.transactions
    with run.step("validate"):
        check_time_text(transactions, time_col)
        day = calendar_day(transactions, time_col)
        tx = run.materialise(prepare(transactions, customer_col, time_col, amount_col, day))
        report = input_report(
            tx,
            customer_col=CUSTOMER,
            time_col=DAY,
            amount_col=AMOUNT,
            as_of=cfg.as_of,
            count_duplicates=cfg.count_duplicates,
        )
        input_warnings(run, report)
    with run.step("summary"):
        summary = run.materialise(
            customer_summary(
                tx,
                customer_col=CUSTOMER,
                time_col=DAY,
                amount_col=AMOUNT,
                as_of=report.as_of,
                time_unit=cfg.time_unit,
                drop_duplicates=cfg.drop_duplicates,
                recent_window_days=cfg.recent_window_days,
                paid_days=True,  # today's churn model features
                report=report,
            )
        )
    with run.step("value"):
        # Margins and costs of each transaction only where the profile prices them: the
        # default profile's would sum zeros over a year of the log.
        activity = None
        if cfg.value.costs.prices_transactions:
            since = report.as_of - dt.timedelta(days=cfg.recent_window_days - 1)
            activity = sources.activity(customer_col, day, amount_col, since)
        value = run.materialise(
            value_measures(
                summary,
                as_of=report.as_of,
                activity=activity,
                balances=rename_customer(sources.balances, customer_col),
                costs=cfg.value.costs,
                window_days=cfg.recent_window_days,
                customer_col=CUSTOMER,
            )
        )
        valued = run.materialise(summary.left_join(value, CUSTOMER).drop(f"{CUSTOMER}_right"))
    inputs = summary.select(CUSTOMER, *MODEL_INPUTS).to_pyarrow()
    # The CLV models are NumPy work on one core: fit them in a thread while the backend
    # computes the segments and the churn model trains and scores on the other(s).
    with ThreadPoolExecutor(max_workers=1) as pool:
        fitting = run.in_background("models", pool, fit_models, inputs, cfg)
        with run.step("segments"):
            rfm = run.materialise(rfm_scores(summary, customer_col=CUSTOMER, rules=cfg.rfm_rules))
            pyramid = run.materialise(
                customer_pyramid(
                    valued,
                    holdings=rename_customer(sources.holdings, customer_col),
                    status=rename_customer(sources.status, customer_col),
                    config=dataclasses.replace(cfg.pyramid, value_col=cfg.value.measure),
                    customer_col=CUSTOMER,
                )
            )
        with run.step("churn_model"):
            model = churn_model_step(run, tx, report.as_of, sources.store, cfg.churn_model, summary)
        with run.step("churn"):
            month = judged_month(report.as_of)
            monthly = monthly_window(run, tx, month, report.as_of, cfg)
            run.release(tx)  # the copy of the log is not read after this
            fit = fitting.result()
            models = model_table(run, inputs, fit)
            churn = run.materialise(
                churn_warnings(
                    summary,
                    monthly=monthly,
                    as_of=report.as_of,
                    p_alive=models.select(CUSTOMER, "p_alive"),
                    config=cfg.churn,
                    customer_col=CUSTOMER,
                )
            )
            scored = valued.join(models, CUSTOMER)
            judged = scored.join(churn.select(CUSTOMER, "warning"), CUSTOMER)
            priority = churn_priority(
                with_model_probability(run, judged, model),
                config=cfg.churn_priority,
                customer_col=CUSTOMER,
                probability_col=MODEL_PROBABILITY if model.used else None,
            )
    with run.step("scoring"):
        scores = run.materialise(
            score_customers(scored, cfg.scoring_indicators(), customer_col=CUSTOMER)
        )
    with run.step("assemble"):
        customers = assemble_customers(
            summary, value, rfm, pyramid, models, churn, priority, scores, cfg
        )
        customers = attach_model_columns(customers, model)
        tables = aggregates(summary, rfm, pyramid, cfg)
        overview = build_overview(run, report, summary, customers, fit.info, cfg)
        overview["churn_model"] = model.info
        overview["churn_list"]["probability_source"] = model.info["probability_source"]
    overview["timings"] = {code: run.timings[code] for code in STEPS}
    return AnalysisResult(customers=customers, overview=overview, **tables)
