"""Fixtures of every analytics test (plain pytest, no Django): the shared real data sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanxi.analytics.tests.datasets import CDNOW_SAMPLE, TELCO_TRAIN, dataset_path


@pytest.fixture(scope="session")
def cdnow_path() -> Path:
    """The raw CDNOW 1/10 sample (skips locally when missing, fails under ``CI=true``)."""
    return dataset_path(CDNOW_SAMPLE)


@pytest.fixture(scope="session")
def telco_path() -> Path:
    """The Telco churn training split (skips locally when missing, fails under ``CI=true``)."""
    return dataset_path(TELCO_TRAIN)
