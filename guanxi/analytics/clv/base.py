"""Shared estimator contract of the CLV models: input checks and maximum-likelihood fitting.

Every model follows scikit-learn's conventions: constructor arguments are hyper-parameters only,
``fit`` returns ``self``, and fitted state lives in attributes ending in ``_`` (``params_``,
``log_likelihood_``, ``n_customers_``). Fitting maximises the log-likelihood over the logarithm
of the (positive) parameters with L-BFGS-B, using each model's analytic gradient.
"""

from __future__ import annotations

import functools
import inspect
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from threadpoolctl import ThreadpoolController

FloatArray = NDArray[np.float64]

# Log-parameters are kept inside a box so that a wild line-search step cannot overflow exp().
_LOG_PARAM_BOUND = 30.0


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used before ``fit``; same bases as scikit-learn's exception."""


@functools.cache
def _blas_threads() -> ThreadpoolController:
    # Finding the loaded BLAS libraries reads /proc/self/maps: ~2 ms, more than a CDNOW fit's
    # whole likelihood work, so it is done once per process.
    return ThreadpoolController()


class ConvergenceError(RuntimeError):
    """Raised when the optimiser stops without reaching a maximum of the likelihood."""


def as_array(name: str, values: ArrayLike) -> FloatArray:
    """Return ``values`` as a non-empty 1-D float array of finite numbers, or raise ValueError."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    array = np.atleast_1d(array)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty: at least one customer is needed")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


def check_same_length(**arrays: FloatArray) -> None:
    """Raise ValueError unless all arrays have the same length, naming the lengths."""
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"inputs must have the same length, got {lengths}")


def check_non_negative(name: str, array: FloatArray) -> None:
    """Raise ValueError if any element of ``array`` is negative."""
    if np.any(array < 0):
        raise ValueError(f"{name} must be non-negative (first bad value: {array[array < 0][0]})")


def check_whole_numbers(name: str, array: FloatArray) -> None:
    """Raise ValueError unless ``array`` holds whole numbers (purchase counts)."""
    if np.any(array != np.round(array)):
        raise ValueError(f"{name} must contain whole numbers (counts)")


def validate_rfm(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike, *, age_name: str = "T"
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Check a frequency / recency / age summary and return it as float arrays."""
    x = as_array("frequency", frequency)
    t_x = as_array("recency", recency)
    age = as_array(age_name, T)
    check_same_length(frequency=x, recency=t_x, **{age_name: age})
    check_non_negative("frequency", x)
    check_whole_numbers("frequency", x)
    check_non_negative("recency", t_x)
    if np.any(t_x > age):
        raise ValueError(f"recency must not exceed {age_name} (the customer's age)")
    return x, t_x, age


def validate_weights(weights: ArrayLike | None, n_rows: int) -> FloatArray:
    """Return per-row customer counts (ones when ``weights`` is None), checked."""
    if weights is None:
        return np.ones(n_rows)
    w = as_array("weights", weights)
    if len(w) != n_rows:
        raise ValueError(f"weights has length {len(w)}, expected {n_rows}")
    check_non_negative("weights", w)
    if w.sum() <= 0:
        raise ValueError("weights must not all be zero")
    return w


def validate_counts(name: str, values: ArrayLike) -> FloatArray:
    """Return a scalar or array of non-negative whole numbers as floats, or raise ValueError."""
    counts = np.asarray(values, dtype=np.float64)
    if counts.size == 0 or not np.all(np.isfinite(counts)) or np.any(counts < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    check_whole_numbers(name, counts)
    return counts


def validate_horizon(name: str, t: ArrayLike) -> FloatArray:
    """Return a finite, non-negative time horizon (scalar or array) as floats."""
    horizon = np.asarray(t, dtype=np.float64)
    if horizon.size == 0 or not np.all(np.isfinite(horizon)) or np.any(horizon < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    return horizon


def distinct_rows(columns: list[FloatArray]) -> tuple[FloatArray, NDArray[np.intp]]:
    """The distinct rows of ``columns`` (sorted) and the position of each row among them.

    Summaries have many exact duplicates (e.g. all one-time buyers of the same day), so a
    formula of these columns alone is evaluated once per distinct row and spread back with
    the positions.
    """
    # A lexsort and a scan for changes: several times faster than np.unique(axis=0).
    order = np.lexsort(columns[::-1])
    rows = np.column_stack(columns)[order]
    starts = np.concatenate([[True], np.any(rows[1:] != rows[:-1], axis=1)])
    index = np.empty(len(order), dtype=np.intp)
    index[order] = np.cumsum(starts) - 1
    return rows[starts], index


class Counts:
    """Whole-number counts (repeat purchases) whose functions are evaluated once per value.

    A million customers' counts take a few hundred values: the special functions of a
    likelihood (log-gamma, digamma) evaluated per customer were most of each evaluation.
    Results are exactly those of evaluating per customer.
    """

    def __init__(self, counts: FloatArray) -> None:
        low, top = (int(counts.min()), int(counts.max())) if len(counts) else (0, 0)
        # Only the counts from the least to the most are evaluated (the others could be
        # out of a function's domain); past a few per customer, each customer's instead.
        dense = top - low < 4 * len(counts) + 1024
        self.index = (counts - low).astype(np.intp) if dense else None
        self.values = np.arange(low, top + 1, dtype=np.float64) if dense else counts

    def map(self, function: Callable[[FloatArray], FloatArray]) -> FloatArray:
        """``function`` of every count (``function`` works element-wise)."""
        values = function(self.values)
        return values if self.index is None else values[self.index]


def compress_rows(columns: list[FloatArray], weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Merge identical customer rows, summing their weights: the likelihood is evaluated
    once per distinct row (:func:`distinct_rows`), several times fewer evaluations."""
    rows, index = distinct_rows(columns)
    counts = np.bincount(index, weights=weights, minlength=len(rows))  # float64 with weights
    return rows, np.asarray(counts, dtype=np.float64)


class BaseFitter(ABC):
    """Maximum-likelihood estimator with positive parameters, fitted on log-parameters.

    Subclasses declare ``_param_names`` and implement ``_log_likelihood_terms`` returning each
    row's log-likelihood and its gradient with respect to the natural parameters.
    """

    _param_names: ClassVar[tuple[str, ...]]

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        self.penalizer_coef = penalizer_coef

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the constructor arguments (scikit-learn's ``get_params``)."""
        names = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name in names if name != "self"}

    def set_params(self, **params: Any) -> Self:
        """Set constructor arguments (scikit-learn's ``set_params``)."""
        valid = self.get_params()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    @abstractmethod
    def _log_likelihood_terms(
        self, params: FloatArray, data: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Per-row log-likelihood (n,) and its gradient (n_params, n) at ``params``.

        ``data`` holds one customer row per line, columns in the order given to ``_fit``.
        """

    @abstractmethod
    def _initial_params(self, data: FloatArray, weights: FloatArray) -> FloatArray:
        """A starting point for the optimiser, in natural parameters."""

    def _objective(
        self, log_params: FloatArray, data: FloatArray, weights: FloatArray
    ) -> tuple[float, FloatArray]:
        """Mean negative log-likelihood (plus penalty) and its gradient in log-parameters.

        The mean rather than the sum keeps the gradient O(1) whatever the number of customers,
        so the optimiser's tolerances mean the same thing on any data size.
        """
        params = np.exp(log_params)
        ll, grad = self._log_likelihood_terms(params, data)
        total = weights.sum()
        value = -(weights @ ll) / total + self.penalizer_coef * np.sum(params**2)
        grad_log = -(grad @ weights) / total * params + 2 * self.penalizer_coef * params**2
        return float(value), grad_log

    def _fit(self, columns: list[FloatArray], weights: FloatArray) -> Self:
        if self.penalizer_coef < 0:
            raise ValueError("penalizer_coef must be non-negative")
        data, counts = compress_rows(columns, weights)
        start = np.log(self._initial_params(data, counts))
        # The optimiser's linear algebra is on a handful of parameters: BLAS threads only add
        # start-up and contention cost (measured 2-3x slower fits on a busy 2-core machine).
        with _blas_threads().limit(limits=1, user_api="blas"):
            result = minimize(
                self._objective,
                start,
                args=(data, counts),
                jac=True,
                method="L-BFGS-B",
                bounds=[(-_LOG_PARAM_BOUND, _LOG_PARAM_BOUND)] * len(start),
                options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9},
            )
        # L-BFGS-B reports ABNORMAL when the line search cannot improve further at an optimum
        # found to machine precision; only a non-finite result or a hit iteration cap is fatal.
        if not np.isfinite(result.fun) or result.nit >= 2000:
            raise ConvergenceError(
                f"{type(self).__name__} did not converge ({result.message}); "
                "try a positive penalizer_coef"
            )
        params = np.exp(result.x)
        ll, _ = self._log_likelihood_terms(params, data)
        self.params_ = dict(zip(self._param_names, params.tolist(), strict=True))
        self.log_likelihood_ = float(counts @ ll)
        total = float(counts.sum())
        self.n_customers_ = int(total) if total.is_integer() else total
        self.n_iter_ = int(result.nit)
        return self

    def _fitted_params(self) -> FloatArray:
        if not hasattr(self, "params_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; "
                "call 'fit' with the customers' data before using this method."
            )
        return np.array([self.params_[name] for name in self._param_names])


class TransactionModel(BaseFitter):
    """A continuous-time purchase model fitted on (frequency, recency, T) per customer.

    ``frequency`` counts repeat purchases, ``recency`` is the age at the last purchase and ``T``
    the age at the end of the calibration period, both measured from the first purchase.
    """

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> Self:
        """Fit by maximum likelihood; ``weights`` counts the customers each row stands for."""
        x, t_x, age = validate_rfm(frequency, recency, T)
        return self._fit([x, t_x, age], validate_weights(weights, len(x)))

    @staticmethod
    def _time_scale(data: FloatArray, weights: FloatArray) -> float:
        """Mean time between purchases: a starting value for the models' time-scale parameters.

        Starting there puts the optimiser at the right order of magnitude whatever the time unit.
        """
        x, age = data[:, 0], data[:, 2]
        return max(float(weights @ age) / max(float(weights @ x), 1.0), 1e-3)

    @abstractmethod
    def conditional_expected_number_of_purchases_up_to_time(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Expected purchases in (T, T + t] given each customer's history."""

    @abstractmethod
    def conditional_probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Probability that each customer is still alive at the end of their observation."""

    @abstractmethod
    def probability_of_n_purchases_up_to_time(self, t: ArrayLike, n: ArrayLike) -> FloatArray:
        """P(X(t) = n): probability that a new customer makes n repeat purchases in (0, t]."""

    def expected_number_of_purchases_up_to_time(self, t: ArrayLike) -> FloatArray:
        """Expected purchases in (0, t] of a new customer (just after the first purchase)."""
        # A brand-new customer is one with no repeat purchase observed over a zero-length age.
        expected = self.conditional_expected_number_of_purchases_up_to_time(t, 0.0, 0.0, 0.0)
        return expected.reshape(np.shape(t))
