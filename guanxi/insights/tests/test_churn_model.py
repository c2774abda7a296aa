"""The churn model in a run on the store: what it stores, and how the pages show it."""

import pytest
from django.urls import reverse

from guanxi.insights import services
from guanxi.insights.models import AnalysisRun, CustomerScore
from guanxi.web.tests.support import client_for

REASONS = [
    {"code": "recency_days", "value": "144", "contribution": 0.2466},
    {"code": "status", "value": "inactive", "contribution": 0.05},
]
MODEL = {
    "status": "used",
    "probability_source": "model",
    "horizon_months": 6,
    "fit_day": "2025-06-04",
    "valid_day": "2025-12-04",
    "auc_floor": 0.65,
    "roc_auc": 0.8812,
    "pr_auc": 0.8597,
    "top_decile_lift": 3.01,
}


@pytest.mark.django_db(transaction=True)
def test_a_run_on_demo_data_stores_the_validation_and_each_customers_probability_and_reasons(
    demo_store,
):
    run = services.run_analysis()

    assert run.status == "finished", run.error
    info = run.overview["churn_model"]
    assert info["horizon_months"] == 3  # twelve months of history: too short for six
    assert 0 < info["roc_auc"] <= 1 and 0 < info["pr_auc"] <= 1 and info["top_decile_lift"] > 0
    assert info["n_train"] > 0 and info["n_valid"] > 0
    assert run.overview["churn_list"]["probability_source"] == info["probability_source"]
    scores = CustomerScore.objects.filter(run=run)
    judged = scores.exclude(churn_model_probability=None)
    assert judged.count() == run.overview["n_customers"]
    explained = [s for s in judged if s.churn_model_reasons]
    assert explained
    for score in explained:
        for reason in score.churn_model_reasons:
            assert set(reason) == {"code", "value", "contribution"}
            assert reason["code"] in info["features"] and reason["contribution"] > 0


@pytest.mark.django_db(transaction=True)
def test_the_model_is_fitted_and_validated_on_a_sample_of_customers_and_scores_everyone(
    demo_store, settings
):
    settings.GUANXI_INSIGHTS = {"churn_model": {"max_train_rows": 100}}
    run = services.run_analysis()

    info = run.overview["churn_model"]
    assert 0 < info["n_train"] <= 100 and 0 < info["n_valid"] < 0.8 * len(demo_store)
    judged = CustomerScore.objects.filter(run=run).exclude(churn_model_probability=None)
    assert judged.count() == run.overview["n_customers"]


@pytest.fixture
def model_run(staff, make_customer, fabricated_run) -> tuple[AnalysisRun, int]:
    """A finished run whose churn model was used, with reasons for one customer."""
    customer = make_customer("张三")
    run = fabricated_run([customer], warn={customer.pk})
    run.overview = {"churn_model": MODEL}
    run.save(update_fields=["overview"])
    CustomerScore.objects.filter(run=run).update(
        churn_model_probability=0.47, churn_model_reasons=REASONS
    )
    return run, customer.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("en", ["No purchase for 144 days", "Lifecycle status: Inactive", "by 0.25"]),
        ("zh-hans", ["已 144 天未购买", "生命周期状态:沉睡客户", "使流失概率提高 0.25"]),
    ],
)
def test_the_360_page_renders_the_model_reasons_in_the_viewers_language(
    staff, model_run, language, texts
):
    _run, customer_id = model_run

    page = client_for(staff["account_manager"]).get(
        reverse("customers:detail", args=[customer_id]), HTTP_ACCEPT_LANGUAGE=language
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="insights-churn-model"' in html and "0.47" in html
    for text in texts:
        assert text in html


@pytest.mark.django_db
def test_the_dashboard_shows_the_validation_and_which_probability_ranked_the_call_list(
    staff, model_run
):
    page = client_for(staff["analyst"]).get(
        reverse("analytics:list"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-probability-source="model"' in html
    assert "0.881" in html and "3.01" in html
    assert "回访名单按流失预测模型的概率排序" in html
    assert "流失客户得分高于留存客户的概率" in html
