"""Write-back settings, the store connection string and chart series, without a pipeline run."""

from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from guanxi.insights.charts import CHART_COLUMNS, build_charts
from guanxi.insights.config import (
    WriteBackConfig,
    churn_model_config,
    default_analysis_config,
    write_back_config,
)
from guanxi.insights.store import _libpq_dsn, extension_path


def test_tier_bounds_add_up_the_shares():
    config = WriteBackConfig(value_tiers=(("platinum", 0.05), ("gold", 0.15)))

    assert config.tier_bounds() == [("platinum", 0.05), ("gold", pytest.approx(0.20))]


@pytest.mark.parametrize(
    "settings_value",
    [
        {"value_tiers": [("diamond", 0.1)]},
        {"value_tiers": [("standard", 0.1)]},
        {"value_tiers": [("platinum", 0.6), ("gold", 0.6)]},
        {"tier_measure": "revenue"},
        {"nightly_hour": 24},
        {"no_such_option": 1},
        {"churn_value_measure": "balance"},
        {"churn_list_share": 0},
        {"churn_list_share": 1.5},
        {"churn_calls_per_owner": 0},
    ],
)
def test_bad_settings_are_refused(settings, settings_value):
    settings.GUANXI_INSIGHTS = settings_value

    with pytest.raises(ImproperlyConfigured):
        write_back_config()


@pytest.mark.django_db
def test_the_churn_model_settings_reach_the_analysis(settings):
    settings.GUANXI_INSIGHTS = {"churn_model": {"auc_floor": 0.8, "balance_kinds": ["deposit"]}}

    model = default_analysis_config().churn_model

    assert (model.auc_floor, model.balance_kinds) == (0.8, ("deposit",))
    assert write_back_config() == WriteBackConfig()  # not a write-back setting


def test_a_store_run_does_not_count_duplicate_transactions(db):
    # Each stored transaction has an id: two alike are two purchases, not a copy to report.
    assert default_analysis_config().count_duplicates is False


@pytest.mark.parametrize(
    "churn_model", [{"auc_floor": 1.5}, {"max_train_rows": 5}, {"no_such_option": 1}]
)
def test_bad_churn_model_settings_are_refused(settings, churn_model):
    settings.GUANXI_INSIGHTS = {"churn_model": churn_model}

    with pytest.raises(ImproperlyConfigured, match="churn_model"):
        churn_model_config()


def test_the_libpq_string_quotes_awkward_passwords():
    dsn = _libpq_dsn({"NAME": "guanxi", "HOST": "db", "USER": "me", "PASSWORD": r"it's\x"})

    assert dsn == r"dbname='guanxi' host='db' user='me' password='it\'s\\x'"


def test_the_scanner_extensions_are_installed():
    for name in ("sqlite-scanner", "postgres-scanner"):
        assert Path(extension_path(name)).is_file()


def test_charts_of_nobody_are_empty():
    charts = build_charts({name: [] for name in CHART_COLUMNS})

    assert charts["customers"] == charts["churn_warnings"] == charts["churn_calls"] == 0
    assert charts["gini"] is None and charts["top_share"] is None
    assert charts["pyramid"] == [] and charts["lorenz"] == []
    assert charts["clv_histogram"] == {"edges": [], "counts": []}


def test_charts_count_levels_in_pyramid_order_and_fill_the_heatmap():
    charts = build_charts(
        {
            "pyramid_level": ["D", "A", "A", "suspect"],
            "rfm_segment": ["lost", "champions", "champions", ""],
            "r_score": [1, 5, 5, None],
            "f_score": [1, 5, 4, None],
            "total_revenue": [10.0, 500.0, 490.0, None],
            "clv": [0.0, 900.0, 800.0, np.nan],
            "churn_warning": [True, False, False, False],
            "churn_priority": [True, None, None, None],
        }
    )

    assert charts["pyramid"] == [["A", 2], ["D", 1], ["suspect", 1]]
    assert charts["segments"][0] == ["champions", 2, 990.0]
    assert len(charts["heatmap"]) == 25 and [5, 5, 1] in charts["heatmap"]
    assert charts["lorenz"][0] == [0.0, 0.0] and charts["lorenz"][-1] == [1.0, 1.0]
    assert sum(charts["clv_histogram"]["counts"]) == 3
    assert (charts["churn_warnings"], charts["churn_calls"]) == (1, 1)


def test_revenue_concentration_is_the_gini_and_the_top_fifths_share():
    columns = {name: [None] * 5 for name in CHART_COLUMNS}
    columns["pyramid_level"] = columns["rfm_segment"] = [""] * 5  # text: "" for none
    columns["total_revenue"] = [0.0, 0.0, 0.0, 0.0, 100.0]
    concentrated = build_charts(columns)
    assert (concentrated["gini"], concentrated["top_share"]) == (0.8, 1.0)
    columns["total_revenue"] = [20.0] * 5
    equal = build_charts(columns)
    assert (equal["gini"], equal["top_share"]) == (0.0, 0.2)
