"""Numerically careful special functions shared by the CLV models."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from guanxi.analytics.clv.base import FloatArray

# The series below converges like z**k; this cap only binds for z within ~1e-3 of 1, which
# needs one of the model's scale parameters to be hundreds of times the other.
_MAX_SERIES_TERMS = 20_000
_SERIES_TOLERANCE = 1e-16


def log1mexp(d: FloatArray) -> FloatArray:
    """``log(1 - exp(d))`` for ``d <= 0``, exactly ``-inf`` at 0, without warnings.

    Uses Maechler's split: ``log(-expm1(d))`` near 0 and ``log1p(-exp(d))`` further out.
    """
    d = np.asarray(d, dtype=np.float64)
    out = np.full(d.shape, -np.inf)
    near = (d < 0) & (d > -np.log(2.0))
    far = d <= -np.log(2.0)
    out[near] = np.log(-np.expm1(d[near]))
    out[far] = np.log1p(-np.exp(d[far]))
    return out


class Hyp2F1Series(NamedTuple):
    """Value of 2F1(1, b; c; z) and its partial derivatives in b, c and z."""

    value: FloatArray
    d_b: FloatArray
    d_c: FloatArray
    d_z: FloatArray


def hyp2f1_unit_a(b: FloatArray, c: FloatArray, z: FloatArray) -> Hyp2F1Series:
    """Gauss hypergeometric 2F1(1, b; c; z) with its gradient, for 0 < b < c and 0 <= z < 1.

    scipy's ``hyp2f1`` has no derivative in its parameters, which the Pareto/NBD gradient needs.
    With a = 1 and b < c every series term is positive and at most z times the one before, so
    summing term by term (with the derivatives of each coefficient) is accurate and cannot
    overflow.
    """
    b, c, z = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (b, c, z)))
    coef = np.ones(b.shape)  # prod_{j<k} (b+j)/(c+j)
    z_prev = np.ones(b.shape)  # z**(k-1)
    harm_b = np.zeros(b.shape)  # sum_{j<k} 1/(b+j), so d coef/db = coef * harm_b
    harm_c = np.zeros(b.shape)
    value, d_b, d_c, d_z = np.ones(b.shape), np.zeros(b.shape), np.zeros(b.shape), np.zeros(b.shape)
    for k in range(1, _MAX_SERIES_TERMS):
        harm_b += 1.0 / (b + k - 1)
        harm_c += 1.0 / (c + k - 1)
        coef *= (b + k - 1) / (c + k - 1)
        d_z += k * coef * z_prev
        z_prev = z_prev * z
        term = coef * z_prev
        value += term
        d_b += term * harm_b
        d_c -= term * harm_c
        if np.max(k * coef * z_prev * (1.0 + harm_b + harm_c)) < _SERIES_TOLERANCE:
            break
    return Hyp2F1Series(value, d_b, d_c, d_z)
