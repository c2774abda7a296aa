"""Settings of the analysis run: :class:`AnalysisConfig`, the purchase models it accepts,
the default scoring indicators, and the column names of the run's internal tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field

from guanxi.analytics.churn.store_model import ChurnModelConfig
from guanxi.analytics.churn_priority import ChurnPriorityConfig
from guanxi.analytics.churn_rules import ChurnRuleConfig
from guanxi.analytics.clv import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
from guanxi.analytics.clv.base import TransactionModel
from guanxi.analytics.pyramid import PyramidConfig
from guanxi.analytics.rfm import DEFAULT_SEGMENT_RULES, SegmentRule
from guanxi.analytics.scoring import Indicator
from guanxi.analytics.summary import TimeUnit
from guanxi.analytics.value import PROFILES, ValueProfile

CUSTOMER = "customer_id"
# Columns of the run's compact copy of the log (see :func:`~.prepare.prepare`).
TIME = "_time"
DAY = "_day"
AMOUNT = "_amount"

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
customer near 0). With a value profile whose measure is neither, the measure takes CLV's
place (:meth:`AnalysisConfig.scoring_indicators`)."""


@dataclass(frozen=True)
class AnalysisConfig:
    """Every setting of :func:`analyze`; the defaults suit a retail or banking customer base.

    Attributes:
        as_of: observation end, inclusive (default: the latest transaction date). Later rows
            are left out and counted.
        time_unit: ``"week"`` or ``"day"``: unit of recency and T for the CLV model.
        clv_model: purchase model, a key of :data:`CLV_MODELS`. MBG/NBD by default: BG/NBD
            gives every one-time buyer a P(alive) of 1 (its customers cannot drop out before
            their second purchase), so a customer who bought once 18 months ago would look
            certainly active; MBG/NBD lets them drop out after the first purchase too.
        horizon_months: CLV horizon.
        annual_discount_rate: yearly discount rate of CLV (applied monthly).
        penalizer_coef: L2 penalty of the model fits (0 = plain maximum likelihood).
        retry_penalizer: penalty of a second attempt when the purchase model cannot be
            fitted or predicts non-finite values (None = no second attempt).
        min_model_customers: fewest customers (and repeat customers for Gamma-Gamma) a model
            is fitted on; below it the documented fallbacks apply.
        recent_window_days: trailing window of ``revenue_12m`` and pyramid activity.
        drop_duplicates: collapse rows identical in customer, time and amount first.
        count_duplicates: count those rows for the overview's input report (every row
            hashed: seconds at tens of millions of rows; a store whose transactions each
            have an id of their own has no use for the figure).
        churn: churn rule thresholds; rule ``LOW_P_ALIVE`` uses the model's P(alive).
        churn_priority: the value that churn puts at risk (``value_col``, default
            ``revenue_12m``; any numeric column of the customer summary or the model
            outputs) and the length of the call list (``list_share`` of the customers).
        rfm_rules: the RFM segments (the 11-segment grid, or the eight classes of Chinese
            practice, :data:`~guanxi.analytics.rfm.CHINESE_SEGMENT_RULES`).
        churn_model: the gradient-boosted churn model trained by time on store features;
            when it validates above its AUC floor its probability sets value at risk.
        pyramid: customer pyramid cut-offs; its value axis is the value profile's measure.
        value: the industry's idea of value (:mod:`guanxi.analytics.value`): its measure is
            the pyramid's value axis and the score's value part; its costs give the profit.
        indicators: scoring indicators over the customers table's columns (default
            :data:`DEFAULT_INDICATORS` with the value measure in CLV's place).
        pareto_fraction: the "top" share of customers in the overview's Pareto share.
        lorenz_points: points of the Lorenz curve table.
        profit_groups: groups of the profit table (5 = quintiles).
    """

    as_of: dt.date | None = None
    time_unit: TimeUnit = "week"
    clv_model: str = "mbgnbd"
    horizon_months: int = 12
    annual_discount_rate: float = 0.10
    penalizer_coef: float = 0.0
    retry_penalizer: float | None = 0.01
    min_model_customers: int = 10
    recent_window_days: int = 365
    drop_duplicates: bool = False
    count_duplicates: bool = True
    churn: ChurnRuleConfig = field(default_factory=ChurnRuleConfig)
    churn_priority: ChurnPriorityConfig = field(default_factory=ChurnPriorityConfig)
    churn_model: ChurnModelConfig = field(default_factory=ChurnModelConfig)
    pyramid: PyramidConfig = field(default_factory=PyramidConfig)
    rfm_rules: tuple[SegmentRule, ...] = DEFAULT_SEGMENT_RULES
    value: ValueProfile = PROFILES["retail"]
    indicators: tuple[Indicator, ...] | None = None
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
        if self.indicators is not None and not self.indicators:
            raise ValueError("indicators is empty")

    def scoring_indicators(self) -> tuple[Indicator, ...]:
        """The score's indicators: as configured, or the defaults with the value measure."""
        if self.indicators is not None:
            return self.indicators
        measure = self.value.measure
        if measure in {i.column for i in DEFAULT_INDICATORS}:
            return DEFAULT_INDICATORS
        return tuple(
            dataclasses.replace(i, column=measure) if i.column == "clv" else i
            for i in DEFAULT_INDICATORS
        )

    @property
    def monthly_discount_rate(self) -> float:
        """The monthly rate equivalent to ``annual_discount_rate`` (compounded)."""
        return (1.0 + self.annual_discount_rate) ** (1.0 / 12.0) - 1.0
