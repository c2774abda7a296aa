"""The ``guanxi churn`` command, driven through ``guanxi.analytics.churn_cli.main``."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from guanxi.analytics.churn_cli import main
from guanxi.analytics.tests.test_churn_model import synthetic_customers


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def score(model: Path, data: Path, out: Path, capsys, *options: str) -> tuple[int, str, str]:
    return run(["score", str(model), str(data), "--out", str(out), *options], capsys)


@pytest.fixture(scope="module")
def telco_trained(telco_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Train once on Telco exactly as documented (``--id customerID``; the header says
    ``customerid``) and keep the model file and the JSON the command printed."""
    model = tmp_path_factory.mktemp("telco") / "m.pkl"
    argv = ["train", str(telco_path), "--target", "churn", "--id", "customerID"]
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main([*argv, "--model-out", str(model), "--json"])
    assert code == 0
    return model, json.loads(stdout.getvalue())


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "customers.csv"
    synthetic_customers().to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def small_model(small_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    model = tmp_path_factory.mktemp("model") / "small.pkl"
    argv = ["train", str(small_csv), "--target", "churn", "--id", "customer_id"]
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*argv, "--model-out", str(model)]) == 0
    return model


def test_telco_train_json(telco_trained: tuple[Path, dict]) -> None:
    model, result = telco_trained
    assert model.is_file()
    assert result["id_col"] == "customerid"
    assert result["positive_label"] == "Yes"
    assert result["validation"]["method"] == "stratified_holdout"
    assert result["validation"]["roc_auc"] > 0.80
    assert result["validation"]["top_decile_lift"] > 2.0
    assert "customerid" not in result["features"] and "contract" in result["features"]


def test_telco_score(
    telco_trained: tuple[Path, dict],
    telco_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "s.csv"
    code, stdout, _ = score(telco_trained[0], telco_path, out, capsys)
    assert code == 0
    assert "scored 4930 customers" in stdout
    scores = pd.read_csv(out)
    assert list(scores.columns) == ["customerid", "churn_probability"]
    assert len(scores) == 4930
    assert scores["churn_probability"].between(0, 1).all()


def test_train_text_output(small_csv: Path, tmp_path: Path, capsys) -> None:
    argv = ["train", str(small_csv), "--target", "churn", "--id", "customer_id"]
    argv += ["--model-out", str(tmp_path / "m.pkl"), "--time-col", "cohort"]
    code, out, err = run(argv, capsys)
    assert code == 0, err
    assert out.startswith("validation (time split, 100 customers")
    assert "ROC AUC" in out and "PR AUC" in out and "top-decile lift" in out


def test_score_with_reasons_from_parquet(small_model: Path, tmp_path: Path, capsys) -> None:
    parquet = tmp_path / "customers.parquet"
    synthetic_customers(n=50, seed=1).drop(columns="churn").to_parquet(parquet)
    out = tmp_path / "scores.csv"
    code, _, err = run(
        ["score", str(small_model), str(parquet), "--out", str(out), "--reasons"], capsys
    )
    assert code == 0, err
    scores = pd.read_csv(out)
    assert list(scores.columns) == [
        "customer_id",
        "churn_probability",
        "reason_1",
        "reason_2",
        "reason_3",
    ]
    assert scores["reason_1"].str.match(r"^\w+ = .+ (raises|lowers) risk by \d\.\d\d$").all()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def train_fails(csv: Path, tmp_path: Path, capsys, options: list[str]) -> str:
    """Run ``train`` expecting exit code 2 and no model file; return the one-line message."""
    model = tmp_path / "m.pkl"
    code, _, err = run(["train", str(csv), *options, "--model-out", str(model)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not model.exists()
    return err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--target", "left", "--id", "customer_id"], "has no column 'left'"),
        (["--target", "churn", "--id", "client"], "has no column 'client'"),
        (["--target", "churn", "--id", "customer_id", "--time-col", "when"], "no column 'when'"),
    ],
)
def test_train_missing_columns_exit_2(
    small_csv: Path, tmp_path: Path, capsys, options: list[str], message: str
) -> None:
    assert message in train_fails(small_csv, tmp_path, capsys, options)


def test_train_one_class_target_exit_2(small_csv: Path, tmp_path: Path, capsys) -> None:
    frame = pd.read_csv(small_csv)
    one_class = tmp_path / "one_class.csv"
    frame.assign(churn="No").to_csv(one_class, index=False)
    err = train_fails(one_class, tmp_path, capsys, ["--target", "churn", "--id", "customer_id"])
    assert "exactly 2 classes, found 1: 'No'" in err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", "customer_id,plan,churn\n", "has no rows"),
        ("blank.csv", "", "cannot read"),
        ("binary.csv", None, "cannot read"),
        ("absent.csv", "skip", "no such file"),
    ],
)
def test_train_unusable_files_exit_2(
    tmp_path: Path, capsys, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        path.write_bytes(bytes(range(256)) * 4)
    elif content != "skip":
        path.write_text(content)
    argv = ["train", str(path), "--target", "churn", "--id", "customer_id", "--model-out"]
    code, _, err = run([*argv, str(tmp_path / "m.pkl")], capsys)
    assert code == 2
    assert message in err and err.count("\n") == 1


def test_score_not_a_model_exit_2(small_csv: Path, tmp_path: Path, capsys) -> None:
    argv = ["score", str(small_csv), str(small_csv), "--out", str(tmp_path / "s.csv")]
    code, _, err = run(argv, capsys)
    assert code == 2
    assert "is not a Guanxi churn model file" in err


def test_score_missing_column_exit_2(small_model: Path, small_csv: Path, tmp_path: Path, capsys):
    frame = pd.read_csv(small_csv).drop(columns="tenure")
    path = tmp_path / "no_tenure.csv"
    frame.to_csv(path, index=False)
    code, _, err = run(
        ["score", str(small_model), str(path), "--out", str(tmp_path / "s.csv")], capsys
    )
    assert code == 2
    assert "missing column(s) the model needs: 'tenure'" in err


def test_score_missing_id_exit_2(small_model: Path, small_csv: Path, tmp_path: Path, capsys):
    path = tmp_path / "no_id.csv"
    pd.read_csv(small_csv).drop(columns="customer_id").to_csv(path, index=False)
    code, _, err = run(
        ["score", str(small_model), str(path), "--out", str(tmp_path / "s.csv")], capsys
    )
    assert code == 2
    assert "has no column 'customer_id'" in err


def test_usage_errors(capsys) -> None:
    assert main([]) == 2
    assert main(["train", "x.csv"]) == 2  # --target, --id, --model-out are required
    assert main(["--help"]) == 0
