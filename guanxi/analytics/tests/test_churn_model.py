"""Churn model: Telco validation quality, reasons, schema checks, persistence, features/labels."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from guanxi.analytics.churn import (
    ChurnModel,
    ColumnSpec,
    ValidationReport,
    churn_features,
    churn_labels,
    encode_target,
    infer_schema,
    load_model,
    resolve_column,
)
from guanxi.analytics.tests.helpers import by_customer, tx


def synthetic_customers(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Customers whose churn depends on plan and tenure; ids, cohorts and text numbers included.

    ``charges`` is stored as text with a few blanks (like Telco's TotalCharges); ``cohort``
    runs 2023-01..2023-06 in row order.
    """
    rng = np.random.default_rng(seed)
    plan = rng.choice(["monthly", "annual"], n, p=[0.6, 0.4])
    tenure = rng.integers(0, 72, n)
    charges = rng.normal(70, 20, n).round(2).astype(str)
    charges[rng.random(n) < 0.02] = " "
    logit = -0.5 + 2.5 * (plan == "monthly") - 0.06 * tenure
    churn = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "plan": plan,
            "tenure": tenure,
            "charges": charges,
            "cohort": [f"2023-0{1 + 6 * i // n}" for i in range(n)],
            "churn": np.where(churn, "Yes", "No"),
        }
    )


@pytest.fixture(scope="module")
def telco(telco_path: Path) -> pd.DataFrame:
    return pd.read_csv(telco_path, dtype=str)


@pytest.fixture(scope="module")
def telco_model(telco: pd.DataFrame) -> ChurnModel:
    return ChurnModel(id_col="customerID").fit(telco.drop(columns="churn"), telco["churn"])


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return synthetic_customers()


@pytest.fixture(scope="module")
def small_model(small: pd.DataFrame) -> ChurnModel:
    return ChurnModel(id_col="customer_id", time_col="cohort").fit(
        small.drop(columns="churn"), small["churn"]
    )


# ----------------------------------------------------------------------------- Telco


def test_telco_holdout_quality(telco_model: ChurnModel) -> None:
    v = telco_model.validation_
    assert v is not None
    assert v.method == "stratified_holdout"
    assert (v.n_train, v.n_valid) == (3944, 986)
    assert v.roc_auc > 0.80
    assert v.pr_auc > 0.55  # the base rate is 0.26
    assert v.top_decile_lift > 2.0


def test_telco_schema(telco_model: ChurnModel) -> None:
    kinds = {s.name: s.kind for s in telco_model.schema_}
    assert kinds["totalcharges"] == "numeric"  # text with blanks in the file
    assert kinds["tenure"] == "numeric"
    assert kinds["contract"] == "categorical"
    assert "customerid" not in kinds  # "customerID" resolved case-insensitively
    assert telco_model.excluded_ == {"customerid": "excluded by the caller"}
    assert list(telco_model.classes_) == ["No", "Yes"]


def test_telco_reasons_are_sensible(telco_model: ChurnModel, telco: pd.DataFrame) -> None:
    risky = telco[
        (telco["contract"] == "Month-to-month")
        & (telco["internetservice"] == "Fiber optic")
        & (telco["tenure"].astype(int) <= 3)
    ].head(20)
    reasons = telco_model.reasons(risky)
    top = reasons[["reason_1_feature", "reason_2_feature", "reason_3_feature"]]
    assert top.isin(["contract", "tenure"]).any(axis=1).all()
    assert (reasons["reason_1_contribution"] > 0.05).all()
    first = reasons.iloc[0]
    assert first["reason_1"] == (
        f"{first['reason_1_feature']} = {first['reason_1_value']} raises risk by "
        f"{first['reason_1_contribution']:.2f}"
    )


def test_telco_contract_contribution_signs(telco_model: ChurnModel, telco: pd.DataFrame) -> None:
    two_year = telco[telco["contract"] == "Two year"].head(50)
    monthly = telco[telco["contract"] == "Month-to-month"].head(50)
    assert (telco_model.contributions(two_year)["contract"] < 0).all()
    assert (telco_model.contributions(monthly)["contract"] > 0).all()


def test_telco_scores_ranked_sensibly(telco_model: ChurnModel, telco: pd.DataFrame) -> None:
    p = telco_model.predict_proba(telco)[:, 1]
    churned = telco["churn"].to_numpy() == "Yes"
    assert p[churned].mean() > p[~churned].mean() + 0.2
    assert set(telco_model.predict(telco.head(50))) <= {"Yes", "No"}


# ----------------------------------------------------------------------------- contract


def test_predict_before_fit_fails_clearly(small: pd.DataFrame) -> None:
    with pytest.raises(NotFittedError, match="not fitted yet"):
        ChurnModel().predict_proba(small)


def test_fit_returns_self_and_clones(small: pd.DataFrame) -> None:
    model = ChurnModel(id_col="customer_id", validation_fraction=None)
    assert model.fit(small.drop(columns="churn"), small["churn"]) is model
    assert model.validation_ is None
    assert clone(model).get_params()["id_col"] == "customer_id"
    assert not hasattr(clone(model), "estimator_")


def test_one_class_target_fails_clearly(small: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="exactly 2 classes, found 1: 'No'"):
        ChurnModel().fit(small.drop(columns="churn"), ["No"] * len(small))


def test_target_with_missing_values_fails_clearly(small: pd.DataFrame) -> None:
    y = small["churn"].mask(small.index < 3)
    with pytest.raises(ValueError, match="target has 3 missing value"):
        ChurnModel().fit(small.drop(columns="churn"), y)


@pytest.mark.parametrize(
    ("y", "classes", "y01"),
    [
        (["Yes", "No", "yes "], None, None),  # three distinct labels
        (["No", "Yes", "No"], ("No", "Yes"), [0, 1, 0]),
        ([True, False, True], (False, True), [1, 0, 1]),
        (["0", "1", "1"], ("0", "1"), [0, 1, 1]),
        ([1, 0, 0], (0, 1), [1, 0, 0]),
        ([2.0, 1.0, 2.0], (1.0, 2.0), [1, 0, 1]),
        (["FALSE", "TRUE"], ("FALSE", "TRUE"), [0, 1]),
    ],
)
def test_encode_target(y: list, classes: tuple | None, y01: list | None) -> None:
    if classes is None:
        with pytest.raises(ValueError, match="exactly 2 classes, found 3"):
            encode_target(y)
        return
    codes, found = encode_target(y)
    assert found == classes
    assert codes.tolist() == y01


def test_encode_target_needs_positive_label_for_unknown_words() -> None:
    with pytest.raises(ValueError, match="pass positive_label"):
        encode_target(["stayed", "left"])
    codes, classes = encode_target(["stayed", "left"], positive_label="LEFT")
    assert classes == ("stayed", "left")
    assert codes.tolist() == [0, 1]


def test_infer_schema_types_and_identifiers() -> None:
    n = 200
    frame = pd.DataFrame(
        {
            "account_no": np.arange(10_000, 10_000 + n),  # distinct integers: an id
            "email": [f"user{i}@example.com" for i in range(n)],  # distinct text: an id
            "balance": [" 12.5", "", "7"] + ["3.25"] * (n - 3),  # numbers as text, a blank
            "vip": [True, False] * (n // 2),
            "city": ["Beijing", "Shanghai", "Shenzhen", "Chengdu"] * (n // 4),
            "country": ["CN"] * n,
            "opened": pd.date_range("2020-01-01", periods=n),
        }
    )
    specs, excluded = infer_schema(frame, max_categories=3)
    assert {s.name: s.kind for s in specs} == {
        "balance": "numeric",
        "vip": "categorical",
        "city": "categorical",
    }
    city = next(s for s in specs if s.name == "city")
    assert city.categories == ("Beijing", "Chengdu", "(other)")  # ties sorted by label
    assert set(excluded) == {"account_no", "email", "country", "opened"}
    assert "identifier" in excluded["account_no"] and "identifier" in excluded["email"]
    assert excluded["country"] == "constant or empty"


def test_time_split_trains_on_earlier_cohorts(small_model: ChurnModel) -> None:
    v = small_model.validation_
    assert v is not None
    assert v.method == "time_split"
    assert v.cutoff == "2023-05"  # cohorts 01..05 train (500 rows), 06 validates
    assert (v.n_train, v.n_valid) == (500, 100)
    assert v.roc_auc > 0.75
    assert "cohort" not in small_model.feature_names_
    assert small_model.excluded_["cohort"] == "excluded by the caller"


def test_time_split_needs_two_periods(small: pd.DataFrame) -> None:
    frame = small.drop(columns="churn").assign(cohort="2023-01")
    with pytest.raises(ValueError, match="single value"):
        ChurnModel(time_col="cohort").fit(frame, small["churn"])


def test_missing_id_column_fails_clearly(small: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="no column 'client'"):
        ChurnModel(id_col="client").fit(small.drop(columns="churn"), small["churn"])


# ----------------------------------------------------------------------------- scoring files


def test_save_load_and_score(small_model: ChurnModel, small: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    small_model.save(path)
    loaded = load_model(path)
    # Extra columns are ignored, names match case-insensitively, column order is free.
    renamed = small.rename(columns={"plan": "PLAN"}).assign(extra=1)[::-1]
    np.testing.assert_allclose(
        loaded.predict_proba(renamed)[:, 1], small_model.predict_proba(small)[::-1, 1]
    )


def test_a_model_file_saved_before_the_package_split_still_loads(
    small_model: ChurnModel, small: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Write the file as the old module did: its pickle names guanxi.analytics.churn_model.
    for cls in (ChurnModel, ColumnSpec, ValidationReport):
        monkeypatch.setattr(cls, "__module__", "guanxi.analytics.churn_model")
    path = tmp_path / "old.pkl"
    small_model.save(path)
    monkeypatch.undo()
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict_proba(small), small_model.predict_proba(small))
    # Without the old module the same file cannot be read: it really refers to that path.
    monkeypatch.setitem(sys.modules, "guanxi.analytics.churn_model", None)
    with pytest.raises(ValueError, match="not a Guanxi churn model"):
        load_model(path)


def test_score_missing_column_names_it(small_model: ChurnModel, small: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="missing column.*'tenure'"):
        small_model.predict_proba(small.drop(columns="tenure"))


def test_unseen_category_and_bad_number_are_missing(
    small_model: ChurnModel, small: pd.DataFrame
) -> None:
    odd = small.head(3).assign(plan="weekly", charges="n/a")
    p = small_model.predict_proba(odd)[:, 1]
    assert np.isfinite(p).all()
    assert (small_model.reasons(odd)["reason_1_value"] != "weekly").all()


def test_load_rejects_other_files(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    other = tmp_path / "other.pkl"
    other.write_bytes(pickle.dumps({"format": "something else"}))
    for path in (text, other, tmp_path / "absent.pkl"):
        with pytest.raises(ValueError, match="not a Guanxi churn model|no such model file"):
            load_model(path)


def test_resolve_column() -> None:
    assert resolve_column(["customerid", "Churn"], "customerID") == "customerid"
    assert resolve_column(["churn", "Churn"], "Churn") == "Churn"  # exact match wins
    with pytest.raises(ValueError, match="no column 'CHURN'"):
        resolve_column(["churn", "Churn"], "CHURN")  # ambiguous


# ----------------------------------------------------------------------------- transactions


@pytest.fixture
def transactions():
    return tx(
        [
            (1, "2024-01-10", 100.0),
            (1, "2024-02-15", 50.0),
            (1, "2024-05-01", 30.0),
            (1, "2024-05-01", 20.0),  # same day: one purchase day
            (1, "2024-06-20", -10.0),  # a return
            (1, "2024-07-05", 999.0),  # after as_of: ignored by features, activity for labels
            (2, "2024-06-30", 80.0),  # on as_of: counted
            (3, "2024-07-01", 40.0),  # only after as_of: not a customer yet
            (4, "2023-01-01", 10.0),
            (5, "2024-06-01", 50.0),
            (5, "2024-07-10", -50.0),  # a refund in the horizon
        ]
    )


def test_churn_features_exact(transactions) -> None:
    holdings = tx([(1, "A"), (1, "B"), (1, "B"), (4, "C")], ("customer_id", "product"))
    cases = tx(
        [(1, "2024-06-01", 0.0), (1, "2023-01-01", 0.0), (1, "2024-07-02", 0.0)],
    )
    contacts = tx([(2, "2024-03-01", 0.0), (2, "2024-06-29", 0.0)])
    surveys = tx([(1, "2024-02-01", 4.0), (1, "2024-06-01", 2.0)]).rename(score="amount")
    features = churn_features(
        transactions,
        "2024-06-30",
        holdings=holdings,
        cases=cases,
        contacts=contacts,
        surveys=surveys,
    )
    rows = by_customer(features)
    assert set(rows) == {1, 2, 4, 5}
    c1 = rows[1]
    assert (c1["recency_days"], c1["frequency"], c1["tenure_days"]) == (10, 4, 172)
    assert c1["monetary"] == pytest.approx(190.0)
    # last 3 months = (2024-03-30, 2024-06-30]: 30 + 20 - 10; previous: 100 + 50
    assert (c1["spend_last_3m"], c1["spend_prev_3m"]) == (40.0, 150.0)
    assert c1["spend_trend"] == pytest.approx(-110 / 190)
    assert (c1["n_products"], c1["n_cases"], c1["n_contacts"], c1["n_surveys"]) == (2, 1, 0, 2)
    assert c1["avg_satisfaction"] == pytest.approx(3.0)
    c2 = rows[2]
    assert (c2["recency_days"], c2["frequency"], c2["tenure_days"]) == (0, 1, 0)
    assert (c2["spend_trend"], c2["n_products"], c2["n_contacts"]) == (1.0, 0, 2)
    assert (c2["n_surveys"], c2["avg_satisfaction"]) == (0, None)
    c4 = rows[4]
    assert (c4["recency_days"], c4["tenure_days"], c4["n_products"]) == (546, 546, 1)
    assert (c4["spend_last_3m"], c4["spend_prev_3m"], c4["spend_trend"]) == (0.0, 0.0, None)


def test_churn_features_without_optional_tables(transactions) -> None:
    features = churn_features(transactions, "2024-06-30")
    assert features.columns == (
        "customer_id",
        "recency_days",
        "frequency",
        "monetary",
        "spend_last_3m",
        "spend_prev_3m",
        "spend_trend",
        "tenure_days",
    )
    assert by_customer(features)[5]["recency_days"] == 29


def test_churn_labels_exact(transactions) -> None:
    labels = by_customer(churn_labels(transactions, "2024-06-30", horizon_days=30))
    assert {c: r["churned"] for c, r in labels.items()} == {1: 0, 2: 1, 4: 1, 5: 0}
    # Customer 1's purchase on 07-05 is outside a 4-day horizon.
    short = by_customer(churn_labels(transactions, "2024-06-30", horizon_days=4))
    assert short[1]["churned"] == 1
    # Counting only positive amounts, customer 5's refund is no sign of life.
    paid = by_customer(churn_labels(transactions, "2024-06-30", 30, amount_col="amount"))
    assert paid[5]["churned"] == 1


def test_churn_labels_bad_horizon(transactions) -> None:
    with pytest.raises(ValueError, match="horizon_days"):
        churn_labels(transactions, "2024-06-30", horizon_days=0)
