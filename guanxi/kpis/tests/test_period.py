"""The period's checks and presets, and the percentile arithmetic."""

import datetime as dt

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from guanxi.kpis.period import MAX_DAYS, Period, percentile

D = dt.date


@pytest.mark.parametrize(
    ("name", "day", "start", "end"),
    [
        ("week", D(2026, 12, 5), D(2026, 11, 30), D(2026, 12, 6)),
        ("month", D(2026, 2, 14), D(2026, 2, 1), D(2026, 2, 28)),
        ("quarter", D(2026, 5, 5), D(2026, 4, 1), D(2026, 6, 30)),
        ("quarter", D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31)),
        ("month", D(2026, 12, 1), D(2026, 12, 1), D(2026, 12, 31)),
    ],
)
def test_a_preset_is_the_week_month_or_quarter_holding_the_day(name, day, start, end):
    assert Period.preset(name, day) == Period(start, end)


def test_a_period_counts_both_of_its_days():
    assert Period.of(D(2026, 4, 1), D(2026, 6, 30)).days == 91


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (D(2026, 5, 1), D(2026, 4, 30), "period_end"),
        (None, D(2026, 4, 30), "period_start"),
        (D(2026, 4, 1), "2026-05-01", "period_end"),
        (D(1, 1, 1), D(2026, 1, 1), "period_start"),
        (D(2020, 1, 1), D(2020, 1, 1) + dt.timedelta(days=MAX_DAYS), "period_end"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(start, end, field):
    with pytest.raises(ValidationError) as refused:
        Period.of(start, end)
    assert field in refused.value.message_dict


@pytest.mark.parametrize("share", [0.0, 0.1, 0.5, 0.9, 1.0])
def test_percentile_agrees_with_numpy(share):
    values = [5.0, 1.0, 24.0, 3.5, 3.5, 100.0, 0.0]
    assert percentile(values, share) == pytest.approx(float(np.quantile(values, share)))


def test_percentile_of_nothing_is_none():
    assert percentile([], 0.5) is None
