"""Customer lifetime value models: BG/NBD, MBG/NBD, Pareto/NBD, BG/BB and Gamma-Gamma.

A pure NumPy/SciPy library (no Django): maximum-likelihood fits with analytic gradients,
scikit-learn-style estimators, and discounted CLV over a horizon.
"""

from guanxi.analytics.clv.base import ConvergenceError, NotFittedError
from guanxi.analytics.clv.bgbb import BetaGeoBetaBinomFitter
from guanxi.analytics.clv.bgnbd import BetaGeoFitter
from guanxi.analytics.clv.calibration import calibration_summary
from guanxi.analytics.clv.clv import customer_lifetime_value
from guanxi.analytics.clv.gammagamma import GammaGammaFitter
from guanxi.analytics.clv.mbgnbd import ModifiedBetaGeoFitter
from guanxi.analytics.clv.paretonbd import ParetoNBDFitter

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
