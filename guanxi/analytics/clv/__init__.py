"""Customer lifetime value models: BG/NBD, MBG/NBD, Pareto/NBD, BG/BB and Gamma-Gamma.

A pure NumPy/SciPy library (no Django): maximum-likelihood fits with analytic gradients,
scikit-learn-style estimators, and discounted CLV over a horizon.

``calibration_summary`` (pandas and Ibis) is imported on first use: the models alone must not
pay for those imports (``guanxi clv fit`` starts in about half the time without them).
"""

from typing import TYPE_CHECKING, Any

from guanxi.analytics.clv.base import ConvergenceError, NotFittedError
from guanxi.analytics.clv.bgbb import BetaGeoBetaBinomFitter
from guanxi.analytics.clv.bgnbd import BetaGeoFitter
from guanxi.analytics.clv.clv import customer_lifetime_value
from guanxi.analytics.clv.gammagamma import GammaGammaFitter
from guanxi.analytics.clv.mbgnbd import ModifiedBetaGeoFitter
from guanxi.analytics.clv.paretonbd import ParetoNBDFitter

if TYPE_CHECKING:
    from guanxi.analytics.clv.calibration import calibration_summary

__all__ = [
    "BetaGeoBetaBinomFitter",
    "BetaGeoFitter",
    "ConvergenceError",
    "GammaGammaFitter",
    "ModifiedBetaGeoFitter",
    "NotFittedError",
    "ParetoNBDFitter",
    "calibration_summary",
    "customer_lifetime_value",
]


def __getattr__(name: str) -> Any:
    if name == "calibration_summary":
        from guanxi.analytics.clv.calibration import calibration_summary

        return calibration_summary
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
