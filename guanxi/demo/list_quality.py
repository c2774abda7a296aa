"""How well a list of customers finds the ones who left: the measures the churn benchmark
prints (``benchmarks/churn_list_quality.py``), against the generator's truth
(:mod:`guanxi.demo.truth`) or against a held-out period.

Everything is per customer, in one order: ``listed`` (on the list), ``left`` (the truth or
the proxy says they left) and ``value`` (what they brought in, e.g. revenue over the 12
months before the list was made).
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class ListQuality:
    """One list measured against one set of customers who left.

    Attributes:
        size: customers on the list.
        precision: the share of the listed customers who left.
        recall: the share of the customers who left that the list holds.
        valued_recall: the same, counting only those who left with some value (the ones
            worth a call; those who left long ago bring in nothing any more).
        value_recall: the share of the value of the customers who left that the list holds.
    """

    size: int
    precision: float
    recall: float
    valued_recall: float
    value_recall: float


def list_quality(listed: np.ndarray, left: np.ndarray, value: np.ndarray) -> ListQuality:
    """Measure the list ``listed`` against ``left``; NaN where a share has no denominator."""
    listed, left = listed.astype(bool), left.astype(bool)
    hits = listed & left
    valued = left & (value > 0)
    return ListQuality(
        size=int(listed.sum()),
        precision=_share(hits.sum(), listed.sum()),
        recall=_share(hits.sum(), left.sum()),
        valued_recall=_share((hits & valued).sum(), valued.sum()),
        value_recall=_share(value[hits].sum(), value[left].sum()),
    )


def top(score: np.ndarray, ids: np.ndarray, size: int) -> np.ndarray:
    """A list of the ``size`` customers with the highest ``score`` (NaN last, ties by id)."""
    order = np.lexsort((ids, -np.nan_to_num(score, nan=0.0), np.isnan(score)))
    listed = np.zeros(score.size, dtype=bool)
    listed[order[:size]] = True
    return listed


def stopped_by(truth: pa.Table, ids: np.ndarray, day: dt.date, time_zone: str) -> np.ndarray:
    """Per customer in ``ids``: had they stopped buying for good by the end of local
    ``day`` (their last purchase on or before it)? Customers missing from ``truth`` had not."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), ZoneInfo(time_zone))
    gone = truth.filter(pc.less(truth["stopped_at"], pa.scalar(end, truth["stopped_at"].type)))
    return np.isin(ids, gone["customer_id"].to_numpy())


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole > 0 else float("nan")
