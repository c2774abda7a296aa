"""The churn benchmark's measures on hand-made lists (``guanxi.demo.list_quality``)."""

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pytest

from guanxi.demo.list_quality import list_quality, stopped_by, top
from guanxi.demo.truth import SCHEMA

# Six customers: 1, 2, 3 and 6 left; 6 left long ago and brings in nothing any more.
LISTED = np.array([True, True, False, True, False, False])
LEFT = np.array([True, True, True, False, False, True])
VALUE = np.array([100.0, 50.0, 50.0, 400.0, 300.0, 0.0])


def test_precision_is_the_share_of_the_listed_customers_who_left():
    assert list_quality(LISTED, LEFT, VALUE).precision == pytest.approx(2 / 3)


def test_recall_is_the_share_of_those_who_left_on_the_list():
    assert list_quality(LISTED, LEFT, VALUE).recall == pytest.approx(2 / 4)


def test_valued_recall_leaves_out_those_who_left_with_nothing_to_lose():
    assert list_quality(LISTED, LEFT, VALUE).valued_recall == pytest.approx(2 / 3)


def test_value_recall_is_the_share_of_the_lost_value_on_the_list():
    assert list_quality(LISTED, LEFT, VALUE).value_recall == pytest.approx(150 / 200)


def test_the_size_counts_the_listed_customers():
    assert list_quality(LISTED, LEFT, VALUE).size == 3


def test_an_empty_list_has_no_precision_and_no_recall():
    quality = list_quality(np.zeros(6, dtype=bool), LEFT, VALUE)
    assert quality.size == 0 and math.isnan(quality.precision)
    assert quality.recall == 0 and quality.value_recall == 0


def test_top_lists_the_highest_scores_with_missing_scores_last_and_ties_by_id():
    score = np.array([0.9, np.nan, 0.5, 0.9, -0.1])
    ids = np.array([5, 1, 2, 3, 4])
    assert top(score, ids, 3).tolist() == [True, False, True, True, False]
    assert top(score, ids, 1).tolist() == [False, False, False, True, False]
    assert top(score, ids, 5).sum() == 5


def test_a_customer_has_stopped_by_a_day_when_their_last_purchase_is_on_or_before_it():
    utc = dt.UTC
    truth = pa.table(
        {
            "customer_id": [1, 2, 3, 4],
            "bought": [True, True, True, False],
            "stopped": [True, True, False, False],
            # 1 stopped at 23:30 Shanghai time on 1 March, 2 at 00:30 on 2 March
            "stopped_at": [
                dt.datetime(2026, 3, 1, 15, 30, tzinfo=utc),
                dt.datetime(2026, 3, 1, 16, 30, tzinfo=utc),
                None,
                None,
            ],
        },
        schema=SCHEMA,
    )
    ids = np.array([4, 3, 2, 1, 9])
    stopped = stopped_by(truth, ids, dt.date(2026, 3, 1), "Asia/Shanghai")
    assert stopped.tolist() == [False, False, False, True, False]
    assert stopped_by(truth, ids, dt.date(2026, 3, 2), "Asia/Shanghai").sum() == 2
