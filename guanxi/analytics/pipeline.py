"""The one customer-base analysis run: summary, CLV, RFM, pyramid, churn rules, scores.

:func:`analyze` is used by ``guanxi analyze`` and by the Django layer. It takes a transaction
log as an Ibis table and returns an :class:`AnalysisResult` of Arrow tables: one row per
customer with every score, plus the small aggregate tables the report plots.

Where the work runs: the group-bys over the transaction log, the window functions of RFM,
pyramid, churn rules and scoring all run in the table's backend (DuckDB by default). The
three used columns of the log (plus each row's calendar day) are copied once into a
temporary table, and the per-customer summary is materialised once: every later step reads
these instead of re-reading the source or re-aggregating the log. Only the summary's four
model columns are pulled into NumPy; the CLV models are fitted in a worker thread while the
backend computes the segments, and their outputs go back into the backend as a temporary
table. All temporary tables are dropped at the end of the run.

Customers: the purchasers of the log, plus customers that appear only in ``holdings`` or
``status`` (placed on the pyramid; their purchase, model and score columns are null).
Churn rule ``SPEND_DROP`` judges the last complete calendar month before ``as_of`` (the
as-of month itself when ``as_of`` is its last day).

CLV: the purchase model (BG/NBD, Pareto/NBD or MBG/NBD) is fitted on frequency, recency and
T in ``config.time_unit``; Gamma-Gamma on the repeat customers with positive repeat spend.
CLV is the expected purchases of each month of the horizon times the expected spend per
purchase, discounted monthly at the equivalent of ``config.annual_discount_rate``.

Fallbacks (each adds a warning, in English and Chinese, to ``overview["warnings"]``; never a
traceback and never a silent NaN):

* purchase model fails or predicts non-finite values (small or degenerate data): it is
  refitted once with ``config.retry_penalizer``;
* purchase model impossible -- fewer than ``config.min_model_customers`` customers, no
  customer with a repeat purchase, or both fits fail:
  ``p_alive``, ``expected_purchases``, ``expected_spend`` and ``clv`` are null and churn rule
  ``LOW_P_ALIVE`` does not fire;
* Gamma-Gamma impossible -- fewer than ``config.min_model_customers`` repeat customers with
  positive spend, the optimiser fails, or a fitted q <= 1 (spend so heavy-tailed that the
  model's mean is infinite): the expected spend per purchase is the customer's own mean repeat
  spend, or for one-time buyers the mean of those, and CLV is computed with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from guanxi.analytics.churn_rules import REASON_TEMPLATES, ChurnRuleConfig, churn_warnings
from guanxi.analytics.clv import (
    BetaGeoFitter,
    ConvergenceError,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
    customer_lifetime_value,
)
from guanxi.analytics.clv.base import TransactionModel
from guanxi.analytics.clv.clv import UNITS_PER_MONTH
from guanxi.analytics.concentration import (
    customer_profit,
    gini,
    lorenz_curve,
    pareto_share,
    profit_quintiles,
)
from guanxi.analytics.pyramid import PyramidConfig, customer_pyramid, pyramid_counts
from guanxi.analytics.rfm import rfm_scores, rfm_segment_counts
from guanxi.analytics.scoring import Indicator, score_customers
from guanxi.analytics.summary import (
    InputReport,
    TimeUnit,
    customer_summary,
    input_report,
    monthly_spend,
    require_columns,
)

__all__ = [
    "CLV_MODELS",
    "DEFAULT_INDICATORS",
    "STEPS",
    "WARNINGS",
    "AnalysisConfig",
    "AnalysisResult",
    "analyze",
]

_Result = TypeVar("_Result")

CUSTOMER = "customer_id"
_TIME = "_time"
_DAY = "_day"
_AMOUNT = "_amount"

CLV_MODELS: dict[str, type[TransactionModel]] = {
    "bgnbd": BetaGeoFitter,
    "paretonbd": ParetoNBDFitter,
    "mbgnbd": ModifiedBetaGeoFitter,
}
"""Purchase models :class:`AnalysisConfig` accepts, by ``clv_model`` name."""

DEFAULT_INDICATORS: tuple[Indicator, ...] = (
    Indicator("clv", 0.4, "higher", "percentile"),
    Indicator("revenue_12m", 0.3, "higher", "percentile"),
    Indicator("n_purchases", 0.15, "higher", "percentile"),
    Indicator("days_since_last", 0.15, "lower", "percentile"),
)
"""Default score: future value (CLV), recent revenue, frequency and recency. Percentile
normalisation because CLV and revenue are heavy-tailed (min-max would squash almost every
customer near 0)."""

STEPS: dict[str, tuple[str, str]] = {
    "validate": ("Checking the input", "检查输入数据"),
    "summary": ("Summarising customers", "汇总客户数据"),
    "models": ("Fitting CLV models", "拟合客户终身价值模型"),
    "segments": ("RFM segments and pyramid", "RFM 分群与客户金字塔"),
    "churn": ("Churn warnings", "流失预警"),
    "scoring": ("Scoring and ranking", "客户评分与排名"),
    "assemble": ("Assembling the results", "汇总分析结果"),
}
"""Step code -> (English, Chinese) label, in the order :func:`analyze` runs them; the
``progress`` callback receives the code at the start of each step."""

WARNINGS: dict[str, tuple[str, str]] = {
    "TOO_FEW_CUSTOMERS": (
        "Only {n} customers (at least {min} needed): CLV and P(alive) are not computed.",
        "仅有 {n} 位客户(至少需要 {min} 位):未计算客户终身价值与活跃概率。",
    ),
    "NO_REPEAT_PURCHASES": (
        "No customer has a repeat purchase: the CLV model cannot be fitted, so CLV and "
        "P(alive) are empty.",
        "没有任何客户重复购买:无法拟合客户终身价值模型,终身价值与活跃概率为空。",
    ),
    "MODEL_FAILED": (
        "The {model} model could not be fitted ({detail}): CLV and P(alive) are empty.",
        "{model} 模型拟合失败({detail}):终身价值与活跃概率为空。",
    ),
    "MODEL_PENALIZED": (
        "The {model} model could not be fitted as is ({detail}); it was refitted with "
        "penalizer_coef={penalizer}.",
        "{model} 模型无法直接拟合({detail}),已改用 penalizer_coef={penalizer} 重新拟合。",
    ),
    "SPEND_MODEL_FALLBACK": (
        "Gamma-Gamma spend model not used ({detail}): expected spend is each customer's "
        "own mean repeat spend (one-time buyers: the mean over repeat customers).",
        "未使用 Gamma-Gamma 消费模型({detail}):预期单次消费取客户自身的平均复购金额"
        "(仅购买一次的客户取复购客户的平均值)。",
    ),
    "FUTURE_ROWS": (
        "{n} transactions dated after {as_of} were left out.",
        "{n} 笔交易日期晚于 {as_of},已排除。",
    ),
    "DROPPED_ROWS": (
        "{n} transactions with a missing customer, date or amount were left out.",
        "{n} 笔交易缺少客户、日期或金额,已排除。",
    ),
}
"""Warning code -> (English, Chinese) ``str.format`` templates of ``overview["warnings"]``."""


@dataclass(frozen=True)
class AnalysisConfig:
    """Every setting of :func:`analyze`; the defaults suit a retail or banking customer base.

    Attributes:
        as_of: observation end, inclusive (default: the latest transaction date). Later rows
            are left out and counted.
        time_unit: ``"week"`` or ``"day"``: unit of recency and T for the CLV model.
        clv_model: purchase model, a key of :data:`CLV_MODELS`.
        horizon_months: CLV horizon.
        annual_discount_rate: yearly discount rate of CLV (applied monthly).
        penalizer_coef: L2 penalty of the model fits (0 = plain maximum likelihood).
        retry_penalizer: penalty of a second attempt when the purchase model cannot be
            fitted or predicts non-finite values (None = no second attempt).
        min_model_customers: fewest customers (and repeat customers for Gamma-Gamma) a model
            is fitted on; below it the documented fallbacks apply.
        recent_window_days: trailing window of ``revenue_12m`` and pyramid activity.
        drop_duplicates: collapse rows identical in customer, time and amount first.
        churn: churn rule thresholds; rule ``LOW_P_ALIVE`` uses the model's P(alive).
        pyramid: customer pyramid cut-offs.
        indicators: scoring indicators over the customers table's columns.
        pareto_fraction: the "top" share of customers in the overview's Pareto share.
        lorenz_points: points of the Lorenz curve table.
        profit_groups: groups of the profit table (5 = quintiles).
    """

    as_of: dt.date | None = None
    time_unit: TimeUnit = "week"
    clv_model: str = "bgnbd"
    horizon_months: int = 12
    annual_discount_rate: float = 0.10
    penalizer_coef: float = 0.0
    retry_penalizer: float | None = 0.01
    min_model_customers: int = 10
    recent_window_days: int = 365
    drop_duplicates: bool = False
    churn: ChurnRuleConfig = field(default_factory=ChurnRuleConfig)
    pyramid: PyramidConfig = field(default_factory=PyramidConfig)
    indicators: tuple[Indicator, ...] = DEFAULT_INDICATORS
    pareto_fraction: float = 0.2
    lorenz_points: int = 100
    profit_groups: int = 5

    def __post_init__(self) -> None:
        if self.clv_model not in CLV_MODELS:
            raise ValueError(
                f"clv_model must be one of {sorted(CLV_MODELS)}, not {self.clv_model!r}"
            )
        if self.time_unit not in ("day", "week"):
            raise ValueError(f"time_unit must be 'day' or 'week', not {self.time_unit!r}")
        if self.horizon_months < 1:
            raise ValueError("horizon_months must be >= 1")
        if not math.isfinite(self.annual_discount_rate) or self.annual_discount_rate <= -1:
            raise ValueError("annual_discount_rate must be a finite rate above -1")
        if self.min_model_customers < 2:
            raise ValueError("min_model_customers must be >= 2")
        if not self.indicators:
            raise ValueError("indicators is empty")

    @property
    def monthly_discount_rate(self) -> float:
        """The monthly rate equivalent to ``annual_discount_rate`` (compounded)."""
        return (1.0 + self.annual_discount_rate) ** (1.0 / 12.0) - 1.0


@dataclass
class AnalysisResult:
    """What :func:`analyze` returns (all tables are Arrow tables, small except ``customers``).

    Attributes:
        customers: one row per customer (purchasers, plus customers only in ``holdings`` or
            ``status``, whose purchase columns are null): ``customer_id``, ``first_purchase``,
            ``last_purchase``, ``recency``, ``frequency``, ``monetary_value``, ``T`` (in the
            time unit), ``days_since_last``, ``n_purchases``, ``total_revenue``,
            ``revenue_12m``, ``r_score``, ``f_score``, ``m_score``, ``rfm_segment`` (code),
            ``rfm_segment_en``, ``rfm_segment_zh``, ``pyramid_level``, ``pyramid_level_en``,
            ``pyramid_level_zh``, ``p_alive``, ``expected_purchases`` (over the horizon),
            ``expected_spend`` (expected value of one purchase), ``clv``, ``churn_warning``,
            ``churn_severity`` (rules fired, 0-3), ``churn_reason`` (English),
            ``churn_reason_zh``, ``churn_reason_codes`` (list of rule codes), ``score``
            (0-100) and ``rank`` (1 = best).
        overview: JSON-ready headline numbers, model parameters, input counts, warnings and
            the seconds each step took (the models are fitted in a background thread while
            ``segments`` and the start of ``churn`` run, so those times overlap).
        lorenz: ``customer_share``, ``value_share`` (revenue), from (0, 0) to (1, 1).
        rfm_heatmap: ``r_score``, ``f_score``, ``customers``, ``revenue``.
        pyramid_counts: per level: ``level``, ``level_en``, ``level_zh``, ``customers``,
            ``customer_share``, ``value``, ``value_share``.
        segment_counts: per RFM segment: ``segment``, ``segment_en``, ``segment_zh``,
            ``customers``, ``customer_share``, ``revenue``, ``revenue_share``.
        profit_quintiles: ``quintile`` (1 = most profitable), ``customers``, ``revenue``,
            ``cost``, ``profit``, ``profit_share``, ``cumulative_profit_share``.
    """

    customers: pa.Table
    overview: dict[str, Any]
    lorenz: pa.Table
    rfm_heatmap: pa.Table
    pyramid_counts: pa.Table
    segment_counts: pa.Table
    profit_quintiles: pa.Table


def analyze(
    transactions: ir.Table,
    *,
    customer_col: str,
    time_col: str,
    amount_col: str,
    config: AnalysisConfig | None = None,
    holdings: ir.Table | None = None,
    status: ir.Table | None = None,
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
    run = _Run(transactions, progress)
    try:
        return _analyze(
            run, transactions, customer_col, time_col, amount_col, cfg, holdings, status
        )
    finally:
        run.drop_scratch()


class _Run:
    """Timings, warnings and the temporary tables of one run."""

    def __init__(self, table: ir.Table, progress: Callable[[str], None] | None) -> None:
        self.con = table.get_backend()
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.warnings: list[dict[str, str]] = []
        self._scratch: list[str] = []

    @contextmanager
    def step(self, code: str) -> Iterator[None]:
        """Time one step and announce it to the progress callback."""
        if self.progress is not None:
            self.progress(code)
        began = time.perf_counter()
        yield
        self.timings[code] = round(time.perf_counter() - began, 3)

    def in_background(
        self, code: str, pool: ThreadPoolExecutor, work: Callable[..., _Result], *args: Any
    ) -> Future[_Result]:
        """Start step ``code`` in ``pool``; its time is measured in the worker thread."""
        if self.progress is not None:
            self.progress(code)

        def timed() -> _Result:
            began = time.perf_counter()
            try:
                return work(*args)
            finally:
                self.timings[code] = round(time.perf_counter() - began, 3)

        return pool.submit(timed)

    def warn(self, code: str, **fields: Any) -> None:
        """Record a warning rendered in both languages."""
        en, zh = WARNINGS[code]
        self.warnings.append({"code": code, "en": en.format(**fields), "zh": zh.format(**fields)})

    def materialise(self, obj: ir.Table | pa.Table) -> ir.Table:
        """Store an expression's result (or an Arrow table) as a temporary backend table.

        Later steps read it many times; without this the backend would recompute the whole
        expression (and its scan of the transaction log) for every one of them.
        """
        name = f"_guanxi_{uuid.uuid4().hex}"
        self._scratch.append(name)
        return self.con.create_table(name, obj, temp=True)

    def release(self, table: ir.Table) -> None:
        """Drop one temporary table early, returning its memory to the backend."""
        name = table.get_name().rsplit(".", 1)[-1]  # DuckDB qualifies it: temp.main.<name>
        self.con.drop_table(name, force=True)
        self._scratch.remove(name)

    def drop_scratch(self) -> None:
        """Drop the run's temporary tables."""
        for name in self._scratch:
            self.con.drop_table(name, force=True)
        self._scratch.clear()


def _analyze(
    run: _Run,
    transactions: ir.Table,
    customer_col: str,
    time_col: str,
    amount_col: str,
    cfg: AnalysisConfig,
    holdings: ir.Table | None,
    status: ir.Table | None,
) -> AnalysisResult:
    with run.step("validate"):
        _check_time_text(transactions, time_col)
        tx = run.materialise(_prepare(transactions, customer_col, time_col, amount_col))
        report = input_report(
            tx, customer_col=CUSTOMER, time_col=_DAY, amount_col=_AMOUNT, as_of=cfg.as_of
        )
        _input_warnings(run, report)
    with run.step("summary"):
        summary = run.materialise(
            customer_summary(
                tx,
                customer_col=CUSTOMER,
                time_col=_DAY,
                amount_col=_AMOUNT,
                as_of=report.as_of,
                time_unit=cfg.time_unit,
                drop_duplicates=cfg.drop_duplicates,
                recent_window_days=cfg.recent_window_days,
            )
        )
    inputs = summary.select(CUSTOMER, *_MODEL_INPUTS).to_pyarrow()
    # The models are NumPy work on one core: fit them in a thread while the backend
    # computes the segments and the churn window on the other(s).
    with ThreadPoolExecutor(max_workers=1) as pool:
        fitting = run.in_background("models", pool, _fit_models, inputs, cfg)
        with run.step("segments"):
            rfm = run.materialise(rfm_scores(summary, customer_col=CUSTOMER))
            pyramid = run.materialise(
                customer_pyramid(
                    summary,
                    holdings=_rename(holdings, customer_col),
                    status=_rename(status, customer_col),
                    config=cfg.pyramid,
                    customer_col=CUSTOMER,
                )
            )
        with run.step("churn"):
            month = _judged_month(report.as_of)
            monthly = _monthly_window(run, tx, month, report.as_of, cfg)
            run.release(tx)  # the copy of the log is not read after this
            fit = fitting.result()
            models = _model_table(run, inputs, fit)
            churn = run.materialise(
                churn_warnings(
                    summary,
                    monthly=monthly,
                    current_month=month,
                    p_alive=models.select(CUSTOMER, "p_alive"),
                    config=cfg.churn,
                    customer_col=CUSTOMER,
                )
            )
    with run.step("scoring"):
        scored = summary.join(models, CUSTOMER)
        scores = run.materialise(score_customers(scored, cfg.indicators, customer_col=CUSTOMER))
    with run.step("assemble"):
        customers = _assemble(summary, rfm, pyramid, models, churn, scores, cfg)
        tables = _aggregates(summary, rfm, pyramid, cfg)
        overview = _overview(run, report, summary, customers, fit.info, cfg)
    overview["timings"] = {code: run.timings[code] for code in STEPS}
    return AnalysisResult(customers=customers, overview=overview, **tables)


def _rename(table: ir.Table | None, customer_col: str) -> ir.Table | None:
    """``table`` with its customer column called ``customer_id`` like everything else."""
    if table is None or customer_col == CUSTOMER:
        return table
    require_columns(table, customer_col)
    return table.rename({CUSTOMER: customer_col})


def _check_time_text(transactions: ir.Table, time_col: str) -> None:
    """A text time column must hold ISO dates: name the column and a bad value if not.

    Without this check the backend's cast would fail later with an engine error.
    """
    col = transactions[time_col]
    if not col.type().is_string():
        return
    bad_rows = col.notnull() & col.try_cast("date").isnull()
    found = transactions.aggregate(value=col.arbitrary(where=bad_rows)).to_pyarrow()
    bad = found["value"][0].as_py()
    if bad is not None:
        raise ValueError(
            f"column {time_col!r} has a value {bad!r} that is not an ISO date (YYYY-MM-DD)"
        )


def _prepare(transactions: ir.Table, customer_col: str, time_col: str, amount_col: str) -> ir.Table:
    """The three columns under fixed names, plus the calendar day of each row.

    Materialised once by the caller: every later step scans this compact table instead of
    the source (a file or a database), and the day is computed once -- the time-zone-aware
    conversion of a ``TIMESTAMP WITH TIME ZONE`` costs more than the scans themselves. The
    original time is kept so that duplicates are still rows identical in customer, time and
    amount, not merely on the same day.
    """
    time_value = transactions[time_col]
    dtype = time_value.type()
    if dtype.is_timestamp():
        day = time_value.date()
    elif dtype.is_string():
        day = time_value.cast("date")
    elif dtype.is_date():
        day = time_value
    else:
        raise ValueError(
            f"column {time_col!r} must be a date, timestamp or ISO date string, not {dtype}"
        )
    return transactions.select(
        **{CUSTOMER: transactions[customer_col], _TIME: time_value, _DAY: day},
        _amount=transactions[amount_col],
    )


def _input_warnings(run: _Run, report: InputReport) -> None:
    """Warn about the rows the summary leaves out."""
    if report.future_rows:
        run.warn("FUTURE_ROWS", n=report.future_rows, as_of=report.as_of)
    dropped = report.null_customer_rows + report.null_time_rows + report.null_amount_rows
    if dropped:
        run.warn("DROPPED_ROWS", n=dropped)


# --- CLV models ---------------------------------------------------------------------------

_MODEL_INPUTS = ("frequency", "recency", "T", "monetary_value")
_MODEL_COLUMNS = ("p_alive", "expected_purchases", "expected_spend", "clv")


@dataclass
class _ModelFit:
    """What :func:`_fit_models` found: outputs (None = not computed), info and warnings.

    Collected here rather than on the run because the fit runs in another thread.
    """

    outputs: dict[str, np.ndarray | None]
    info: dict[str, Any]
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def warn(self, code: str, **fields: Any) -> None:
        """Record a warning for the run (a :data:`WARNINGS` code and its fields)."""
        self.warnings.append((code, fields))


def _fit_models(inputs: pa.Table, cfg: AnalysisConfig) -> _ModelFit:
    """Fit the purchase and spend models on the summary's model columns (NumPy only)."""
    x, t_x, age, value = (inputs[c].to_numpy().astype(np.float64) for c in _MODEL_INPUTS)
    fit = _ModelFit(
        dict.fromkeys(_MODEL_COLUMNS), {"model": cfg.clv_model, "time_unit": cfg.time_unit}
    )
    purchase = _fit_purchase_model(fit, x, t_x, age, cfg)
    if purchase is None:
        return fit
    model, p_alive, expected = purchase
    spend = _expected_spend(fit, x, value, cfg)
    with np.errstate(all="ignore"):  # checked just below
        clv = customer_lifetime_value(
            model,
            x,
            t_x,
            age,
            spend,
            time_horizon_months=cfg.horizon_months,
            discount_rate=cfg.monthly_discount_rate,
            time_unit=cfg.time_unit,
        )
    if not np.all(np.isfinite(clv)):
        fit.warn("MODEL_FAILED", model=cfg.clv_model, detail="non-finite CLV")
        return fit
    fit.outputs = dict(zip(_MODEL_COLUMNS, (p_alive, expected, spend, clv), strict=True))
    return fit


def _model_table(run: _Run, inputs: pa.Table, fit: _ModelFit) -> ir.Table:
    """The model outputs per customer as a backend table; the fit's warnings join the run's."""
    for code, fields in fit.warnings:
        run.warn(code, **fields)
    n = inputs.num_rows
    columns = {
        name: pa.nulls(n, pa.float64()) if values is None else pa.array(values, pa.float64())
        for name, values in fit.outputs.items()
    }
    return run.materialise(pa.table({CUSTOMER: inputs[CUSTOMER], **columns}))


def _fit_purchase_model(
    fit: _ModelFit, x: np.ndarray, t_x: np.ndarray, age: np.ndarray, cfg: AnalysisConfig
) -> tuple[TransactionModel, np.ndarray, np.ndarray] | None:
    """The fitted model, P(alive) and expected purchases; None (with a warning) if impossible.

    A fit that fails or predicts non-finite values is retried once with
    ``cfg.retry_penalizer``: small or degenerate data (no sign of dropout) drives the
    unpenalised estimates to the parameter bounds, where the predictions overflow.
    """
    if len(x) < cfg.min_model_customers:
        fit.warn("TOO_FEW_CUSTOMERS", n=len(x), min=cfg.min_model_customers)
        return None
    if not np.any(x > 0):
        fit.warn("NO_REPEAT_PURCHASES")
        return None
    horizon = cfg.horizon_months * UNITS_PER_MONTH[cfg.time_unit]
    detail = ""
    penalizers = [cfg.penalizer_coef]
    if cfg.retry_penalizer is not None and cfg.retry_penalizer != cfg.penalizer_coef:
        penalizers.append(cfg.retry_penalizer)
    for penalizer in penalizers:
        try:
            model = CLV_MODELS[cfg.clv_model](penalizer_coef=penalizer).fit(x, t_x, age)
        except (ConvergenceError, ValueError) as exc:
            detail = str(exc).splitlines()[0]
            continue
        with np.errstate(all="ignore"):  # degenerate estimates give inf/NaN: checked below
            p_alive = model.conditional_probability_alive(x, t_x, age)
            expected = model.conditional_expected_number_of_purchases_up_to_time(
                horizon, x, t_x, age
            )
        if not (np.all(np.isfinite(p_alive)) and np.all(np.isfinite(expected))):
            detail = "non-finite predictions"
            continue
        if penalizer != cfg.penalizer_coef:
            fit.warn("MODEL_PENALIZED", model=cfg.clv_model, detail=detail, penalizer=penalizer)
        fit.info.update(
            params=model.params_,
            log_likelihood=model.log_likelihood_,
            n_customers=model.n_customers_,
            penalizer_coef=penalizer,
        )
        return model, p_alive, expected
    fit.warn("MODEL_FAILED", model=cfg.clv_model, detail=detail)
    return None


def _expected_spend(
    fit: _ModelFit, x: np.ndarray, value: np.ndarray, cfg: AnalysisConfig
) -> np.ndarray:
    """Expected value of one future purchase per customer (Gamma-Gamma, or the fallback)."""
    # Repeat customers whose repeat purchases were all free carry no spend information:
    # the model treats them like one-time buyers (it needs a positive mean).
    informative = (x > 0) & (value > 0)
    x_spend = np.where(informative, x, 0.0)
    detail = None
    if informative.sum() < cfg.min_model_customers:
        detail = f"{int(informative.sum())} repeat customers with spend"
    else:
        try:
            spend_model = GammaGammaFitter(penalizer_coef=cfg.penalizer_coef).fit(
                x[informative], value[informative]
            )
            fit.info["spend_model"] = {
                "model": "gammagamma",
                "params": spend_model.params_,
                "log_likelihood": spend_model.log_likelihood_,
                "n_customers": spend_model.n_customers_,
            }
            return spend_model.conditional_expected_average_profit(x_spend, value)
        except (ConvergenceError, ValueError) as exc:
            detail = str(exc).splitlines()[0]
    fit.warn("SPEND_MODEL_FALLBACK", detail=detail)
    fit.info["spend_model"] = {"model": "empirical", "reason": detail}
    population = float(value[informative].mean()) if informative.any() else 0.0
    return np.where(informative, value, population)


# --- churn, assembly, aggregates ----------------------------------------------------------


def _judged_month(as_of: dt.date) -> dt.date:
    """First day of the month SPEND_DROP judges: the last complete one (the as-of month
    itself when as_of is its last day) -- a month in progress looks like a drop for nearly
    everyone."""
    return _add_months(as_of.replace(day=1), 0 if _is_month_end(as_of) else -1)


def _monthly_window(
    run: _Run, tx: ir.Table, month: dt.date, as_of: dt.date, cfg: AnalysisConfig
) -> ir.Table | None:
    """Monthly spend of the months SPEND_DROP compares (only those are read), materialised."""
    start = _add_months(month, -cfg.churn.trailing_months)
    window = tx.filter(tx[_DAY] >= start, tx[_DAY] < _add_months(month, 1))
    try:
        monthly = monthly_spend(
            window,
            customer_col=CUSTOMER,
            time_col=_DAY,
            amount_col=_AMOUNT,
            as_of=as_of,
            drop_duplicates=cfg.drop_duplicates,
        )
    except ValueError:  # no transaction in the window: the spend rule has nothing to judge
        return None
    return run.materialise(monthly)


def _is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


_SUMMARY_COLUMNS = (
    "first_purchase",
    "last_purchase",
    "recency",
    "frequency",
    "monetary_value",
    "T",
    "days_since_last",
    "n_purchases",
    "total_revenue",
    "revenue_12m",
)
"""Columns of the customer summary carried into ``AnalysisResult.customers``."""

_CUSTOMER_COLUMNS = [
    CUSTOMER,
    *_SUMMARY_COLUMNS,
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
    "rfm_segment_en",
    "rfm_segment_zh",
    "pyramid_level",
    "pyramid_level_en",
    "pyramid_level_zh",
    "p_alive",
    "expected_purchases",
    "expected_spend",
    "clv",
    "churn_warning",
    "churn_severity",
    "churn_reason",
    "churn_reason_zh",
    "churn_reason_codes",
    "score",
    "rank",
]
"""Columns of ``AnalysisResult.customers``, in order."""


def _assemble(
    summary: ir.Table,
    rfm: ir.Table,
    pyramid: ir.Table,
    models: ir.Table,
    churn: ir.Table,
    scores: ir.Table,
    cfg: AnalysisConfig,
) -> pa.Table:
    """Join every per-customer table on the pyramid's customers (the widest universe)."""
    reasons = churn["reasons"]
    parts = [
        summary.select(CUSTOMER, *_SUMMARY_COLUMNS),
        rfm.select(
            CUSTOMER,
            "r_score",
            "f_score",
            "m_score",
            rfm_segment="segment",
            rfm_segment_en="segment_en",
            rfm_segment_zh="segment_zh",
        ),
        models,
        churn.select(
            CUSTOMER,
            churn_warning="warning",
            churn_severity="severity",
            churn_reason=ibis.ifelse(
                churn["warning"], ibis.literal("; ").join(reasons.map(lambda r: r.text)), None
            ),
            churn_reason_codes=reasons.map(lambda r: r.code),
            # the numbers for the Chinese text (the English text is churn_reason already)
            _reasons=reasons.map(
                lambda r: ibis.struct(
                    {
                        "code": r.code,
                        "value": r.value,
                        "reference": r.reference,
                        "threshold": r.threshold,
                    }
                )
            ),
        ),
        scores.select(CUSTOMER, "score", rank="overall_rank"),
    ]
    table = pyramid.select(
        CUSTOMER,
        pyramid_level="level",
        pyramid_level_en="level_en",
        pyramid_level_zh="level_zh",
    )
    for part in parts:
        table = table.left_join(part, CUSTOMER).drop(f"{CUSTOMER}_right")
    table = table.mutate(churn_warning=table["churn_warning"].fill_null(False))
    out = table.order_by(CUSTOMER).to_pyarrow()
    zh = _render_zh(out["_reasons"], cfg.churn.trailing_months)
    out = out.drop_columns("_reasons").append_column("churn_reason_zh", zh)
    return out.select(_CUSTOMER_COLUMNS)


def _render_zh(reasons: pa.ChunkedArray, months: int) -> pa.Array:
    """Chinese reason text per customer ("；"-joined), null where no rule fired.

    Formats the reasons' columns with :data:`REASON_TEMPLATES` directly rather than one
    :func:`~guanxi.analytics.churn_rules.render_reason` call per reason struct: converting
    hundreds of thousands of structs to dicts took longer than the whole churn step. Works
    through the customers in batches so that the Python objects of one batch at a time are
    alive (all at once they set the run's peak memory at millions of customers).
    """
    reasons = reasons.combine_chunks()
    batches = [
        _render_zh_batch(reasons.slice(start, _ZH_BATCH), months)
        for start in range(0, len(reasons), _ZH_BATCH)
    ]
    return pa.concat_arrays(batches) if batches else pa.array([], pa.string())


_ZH_BATCH = 200_000


def _render_zh_batch(reasons: pa.ListArray, months: int) -> pa.Array:
    flat = pc.list_flatten(reasons)
    codes = pc.struct_field(flat, "code").to_pylist()
    numbers = [
        np.nan_to_num(pc.struct_field(flat, name).to_numpy(zero_copy_only=False)).tolist()
        for name in ("value", "reference", "threshold")
    ]
    templates = {code: text["zh"] for code, text in REASON_TEMPLATES.items()}
    lines = [
        templates[code].format(value=value, reference=reference, threshold=threshold, months=months)
        for code, value, reference, threshold in zip(codes, *numbers, strict=True)
    ]
    offsets = pc.subtract(reasons.offsets, reasons.offsets[0])  # the array may be a slice
    per_customer = pa.ListArray.from_arrays(offsets, pa.array(lines, pa.string()))
    joined = pc.binary_join(per_customer, "；")
    return pc.if_else(pc.greater(pc.list_value_length(reasons), 0), joined, None)


def _aggregates(
    summary: ir.Table, rfm: ir.Table, pyramid: ir.Table, cfg: AnalysisConfig
) -> dict[str, pa.Table]:
    """The small tables of :class:`AnalysisResult` besides ``customers``."""
    scored = rfm.join(summary.select(CUSTOMER, "total_revenue"), CUSTOMER)
    heatmap = scored.group_by(["r_score", "f_score"]).aggregate(
        customers=scored.count(), revenue=scored["total_revenue"].sum()
    )
    # Revenue per customer as the profit (no cost-to-serve data in a transaction log alone).
    profit = customer_profit(summary, customer_col=CUSTOMER, amount_col="total_revenue")
    return {
        "lorenz": lorenz_curve(
            summary, customer_col=CUSTOMER, points=cfg.lorenz_points
        ).to_pyarrow(),
        "rfm_heatmap": heatmap.order_by(["r_score", "f_score"]).to_pyarrow(),
        "pyramid_counts": pyramid_counts(pyramid).order_by("level").to_pyarrow(),
        "segment_counts": rfm_segment_counts(rfm, summary, customer_col=CUSTOMER)
        .order_by("segment")
        .to_pyarrow(),
        "profit_quintiles": profit_quintiles(
            profit, customer_col=CUSTOMER, groups=cfg.profit_groups
        ).to_pyarrow(),
    }


def _overview(
    run: _Run,
    report: InputReport,
    summary: ir.Table,
    customers: pa.Table,
    model_info: dict[str, Any],
    cfg: AnalysisConfig,
) -> dict[str, Any]:
    """Headline numbers, model information, input counts and warnings (JSON-ready)."""
    pareto = pareto_share(summary, cfg.pareto_fraction, customer_col=CUSTOMER).to_pyarrow()
    clv = customers["clv"]
    severity = customers["churn_severity"].to_numpy(zero_copy_only=False)
    return {
        "as_of": report.as_of.isoformat(),
        "n_customers": int(summary.count().to_pyarrow().as_py()),
        "n_customers_all": customers.num_rows,
        "n_transactions": report.rows_used,
        "total_revenue": float(pareto["total_value"][0].as_py()),
        "pareto_fraction": cfg.pareto_fraction,
        "pareto_share": pareto["share"][0].as_py(),
        "gini": _finite(gini(summary).to_pyarrow().as_py()),
        "clv_model": model_info,
        "clv_total": _finite(pc.sum(clv).as_py()),
        "clv_mean": _finite(pc.mean(clv).as_py()),
        "horizon_months": cfg.horizon_months,
        "annual_discount_rate": cfg.annual_discount_rate,
        "churn_warnings": int(pc.sum(customers["churn_warning"]).as_py() or 0),
        "churn_by_severity": {str(level): int(np.sum(severity == level)) for level in range(1, 4)},
        "input": {k: v for k, v in dataclasses.asdict(report).items() if k != "as_of"},
        "warnings": list(run.warnings),
    }


def _finite(value: float | None) -> float | None:
    """``value`` or None when it is missing or not finite (JSON has no NaN)."""
    return value if value is not None and math.isfinite(value) else None
