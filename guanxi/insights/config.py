"""What an analysis run writes back, from the ``GUANXI_INSIGHTS`` setting, checked once.

The analysis itself is configured by the analytics library's ``AnalysisConfig``; this module
only adds how the store's own vocabulary maps onto it (lifecycle statuses for the pyramid),
what becomes of the results (value tiers, cross-sell suggestions) and how long the churn
call list is (a share of the customers, which the library computes, or a number per account
manager, which only the store can: it knows each customer's owner).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from guanxi.analytics.churn.store_model import ChurnModelConfig
from guanxi.analytics.churn_priority import ChurnPriorityConfig
from guanxi.analytics.pipeline import AnalysisConfig
from guanxi.analytics.pyramid import PyramidConfig
from guanxi.analytics.rfm import CHINESE_SEGMENT_RULES
from guanxi.analytics.value import PROFILES, ValueProfile
from guanxi.customers.models import LifecycleStatus, ValueTier
from guanxi.org.models import Company, CompanyIndustry

# Statuses meaning "has an account" (an inactive one still does) and "a former customer";
# suspects and prospects are neither, so the pyramid calls them suspects.
ACCOUNT_STATUSES = (
    LifecycleStatus.NEW,
    LifecycleStatus.REPEAT,
    LifecycleStatus.LOYAL,
    LifecycleStatus.INACTIVE,
    LifecycleStatus.WON_BACK,
)
FORMER_STATUSES = (LifecycleStatus.LOST,)
# "value" stands for the value profile's measure (guanxi.analytics.value).
TIER_MEASURES = ("value", "clv", "score")
# What churn puts at risk: columns of the analysis that measure a customer's value.
VALUE_AT_RISK_MEASURES = (
    "value",
    "revenue_12m",
    "total_revenue",
    "clv",
    "aum",
    "profit_12m",
    "monthly_spend",
)


@dataclass(frozen=True)
class WriteBackConfig:
    """How results reach the customer record.

    Attributes:
        tier_measure: the measure whose percentiles set the tier: ``"value"`` (the value
            profile's measure, so tier, pyramid and score agree), ``"clv"`` or ``"score"``.
        value_tiers: (tier, share) from the best customers down, e.g. platinum for the top
            5 %, gold for the next 15 %; customers in no share (or with a measure of 0 or
            none) get the standard tier.
        write_value_tier: whether runs change ``Customer.value_tier`` at all.
        cross_sell_per_customer: suggestions kept per customer.
        nightly_hour: local hour of the nightly run.
        keep_runs: finished runs whose scores are kept (the history); older runs are
            deleted. Suggestions are kept for the newest run only: nothing shows older ones.
        churn_value_measure: the value a churning customer takes away, one of
            :data:`VALUE_AT_RISK_MEASURES` (``"value"``: the profile's measure); value at
            risk = churn probability x this.
        churn_list_share: the churn call list's length as a share of the customers
            analysed: the warned customers with the largest value at risk.
        churn_calls_per_owner: if set, the call list is instead each account manager's
            first this many warned customers by value at risk (customers without an account
            manager: this many per branch).
    """

    tier_measure: str = "value"
    value_tiers: tuple[tuple[str, float], ...] = (
        (ValueTier.PLATINUM, 0.05),
        (ValueTier.GOLD, 0.15),
        (ValueTier.SILVER, 0.30),
    )
    write_value_tier: bool = True
    cross_sell_per_customer: int = 3
    nightly_hour: int = 2
    keep_runs: int = 30
    churn_value_measure: str = "value"
    churn_list_share: float = 0.05
    churn_calls_per_owner: int | None = None

    def __post_init__(self) -> None:
        if self.tier_measure not in TIER_MEASURES:
            raise ImproperlyConfigured(f"tier_measure must be one of {TIER_MEASURES}")
        tiers = [tier for tier, _share in self.value_tiers]
        if any(t not in ValueTier.values or t == ValueTier.STANDARD for t in tiers):
            raise ImproperlyConfigured("value_tiers names tiers other than platinum/gold/silver")
        shares = [share for _tier, share in self.value_tiers]
        if any(s <= 0 for s in shares) or sum(shares) > 1:
            raise ImproperlyConfigured("value tier shares must be positive and add up to <= 1")
        if self.cross_sell_per_customer < 0:
            raise ImproperlyConfigured("cross_sell_per_customer must be >= 0")
        if not 0 <= self.nightly_hour <= 23:
            raise ImproperlyConfigured("nightly_hour must be an hour of the day, 0-23")
        if self.keep_runs < 1:
            raise ImproperlyConfigured("keep_runs must be >= 1")
        if self.churn_value_measure not in VALUE_AT_RISK_MEASURES:
            raise ImproperlyConfigured(
                f"churn_value_measure must be one of {VALUE_AT_RISK_MEASURES}"
            )
        if not 0 < self.churn_list_share <= 1:
            raise ImproperlyConfigured("churn_list_share must be a share in (0, 1]")
        if self.churn_calls_per_owner is not None and self.churn_calls_per_owner < 1:
            raise ImproperlyConfigured("churn_calls_per_owner must be >= 1 (or None)")

    def tier_bounds(self) -> list[tuple[str, float]]:
        """(tier, cumulative share) from the best tier down: a customer whose rank share is
        below the bound gets that tier."""
        bounds, total = [], 0.0
        for tier, share in self.value_tiers:
            total += share
            bounds.append((str(tier), total))
        return bounds


# Keys of ``GUANXI_INSIGHTS`` that configure the analysis rather than the write-back.
ANALYSIS_KEYS = ("churn_model",)


def _insights_setting() -> dict:
    return dict(getattr(settings, "GUANXI_INSIGHTS", {}))


def write_back_config() -> WriteBackConfig:
    """The write-back configuration from settings (defaults for what is not set)."""
    raw = {k: v for k, v in _insights_setting().items() if k not in ANALYSIS_KEYS}
    if "value_tiers" in raw:
        raw["value_tiers"] = tuple((str(t), float(s)) for t, s in raw["value_tiers"])
    try:
        return WriteBackConfig(**raw)
    except TypeError as exc:  # an unknown key
        raise ImproperlyConfigured(f"GUANXI_INSIGHTS: {exc}") from exc


def churn_model_config() -> ChurnModelConfig:
    """The churn model's settings: ``GUANXI_INSIGHTS["churn_model"]`` (a dict of
    :class:`~guanxi.analytics.churn.store_model.ChurnModelConfig`'s fields, e.g.
    ``{"auc_floor": 0.7}``), defaults for what is not set."""
    raw = dict(_insights_setting().get("churn_model", {}))
    if "balance_kinds" in raw:
        raw["balance_kinds"] = tuple(raw["balance_kinds"])
    try:
        return ChurnModelConfig(**raw)
    except (TypeError, ValueError) as exc:  # an unknown key, or a value out of range
        raise ImproperlyConfigured(f"GUANXI_INSIGHTS churn_model: {exc}") from exc


def value_profile() -> ValueProfile:
    """The company's value profile, by its industry (the first company's: one runs Guanxi)."""
    industry = Company.objects.order_by("pk").values_list("industry", flat=True).first()
    return PROFILES.get(industry or CompanyIndustry.BANK, PROFILES["retail"])


def default_analysis_config() -> AnalysisConfig:
    """The library's defaults, with the company's value profile, the RFM classes of Chinese
    practice (重要价值客户 ...), the pyramid told what the
    store's statuses mean, and the churn call list and churn model as ``GUANXI_INSIGHTS``
    says."""
    write_back = write_back_config()
    profile = value_profile()
    at_risk = write_back.churn_value_measure
    return AnalysisConfig(
        value=profile,
        rfm_rules=CHINESE_SEGMENT_RULES,
        pyramid=PyramidConfig(
            customer_statuses=tuple(str(s) for s in ACCOUNT_STATUSES),
            potential_statuses=tuple(str(s) for s in FORMER_STATUSES),
        ),
        churn_priority=ChurnPriorityConfig(
            value_col=profile.measure if at_risk == "value" else at_risk,
            list_share=write_back.churn_list_share,
        ),
        churn_model=churn_model_config(),
        # Each of the store's transactions is a record of its own: two alike on the same
        # second are two purchases, not a copy, so counting them (4 s a night) tells nothing.
        count_duplicates=False,
    )
