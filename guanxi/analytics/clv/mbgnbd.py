"""MBG/NBD purchase model (Batislam, Denizel & Filiztekin 2007).

The BG/NBD model with one change: a customer may also drop out right after the first purchase,
so one-time buyers are not all assumed alive (BG/NBD's P(alive) is 1 for them).
"""

from __future__ import annotations

from typing import ClassVar

from guanxi.analytics.clv.bgnbd import BetaGeoFitter


class ModifiedBetaGeoFitter(BetaGeoFitter):
    """MBG/NBD model; ``params_`` holds ``r``, ``alpha``, ``a``, ``b`` as in BG/NBD."""

    _dropout_shift: ClassVar[int] = 1
