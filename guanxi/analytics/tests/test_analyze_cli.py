"""The ``guanxi analyze-file`` command, driven through ``guanxi.analytics.analyze_cli.main``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

import guanxi.analytics.churn as churn_package
from guanxi.analytics.analyze_cli import main

COLS = ["--customer-col", "customer", "--date-col", "date", "--amount-col", "amount"]
OUTPUTS = {"customers.parquet", "customers.csv", "report.html", "overview.json"}


@pytest.fixture(scope="module")
def cdnow_csv(cdnow_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CDNOW has no header row and YYYYMMDD dates; the command needs a header row."""
    frame = pd.read_csv(
        cdnow_path,
        sep=r"\s+",
        header=None,
        names=["customer", "sample_id", "date", "cds", "amount"],
        dtype={"date": str},
    )
    path = tmp_path_factory.mktemp("analyze") / "cdnow.csv"
    frame.to_csv(path, index=False)
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cdnow_csv_writes_every_output(
    cdnow_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = [str(cdnow_csv), *COLS, "--date-format", "%Y%m%d", "--as-of", "1997-09-30"]
    code, _, err = run([*argv, "--out", str(out), "--threads", "2"], capsys)
    assert code == 0, err
    assert {p.name for p in out.iterdir()} == OUTPUTS
    customers = pq.read_table(out / "customers.parquet")
    assert customers.num_rows == 2357 and customers["customer_id"].type == "string"
    csv = pa_csv.read_csv(out / "customers.csv")
    assert csv.num_rows == 2357 and csv.column_names == customers.column_names
    # written in two halves: every customer once, in the Parquet file's order
    assert [str(c) for c in csv["customer_id"].to_pylist()] == customers["customer_id"].to_pylist()
    overview = json.loads((out / "overview.json").read_text(encoding="utf-8"))
    # the default model, MBG/NBD, with the estimates lifetimes finds on CDNOW
    assert overview["clv_model"]["model"] == "mbgnbd"
    params = overview["clv_model"]["params"]
    assert {k: round(v, 3) for k, v in params.items()} == {
        "r": 0.525,
        "alpha": 6.183,
        "a": 0.891,
        "b": 1.614,
    }
    report = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in report and "chart-pyramid" in report
    assert "2,357 customers analysed" in err


def test_parquet_input_chinese_report_and_other_model(
    cdnow_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.read_csv(cdnow_csv, dtype={"date": str})
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    parquet = tmp_path / "cdnow.parquet"
    frame.to_parquet(parquet)
    out = tmp_path / "out"
    argv = [str(parquet), *COLS, "--lang", "zh", "--model", "paretonbd", "--out", str(out)]
    code, _, err = run(argv, capsys)
    assert code == 0, err
    overview = json.loads((out / "overview.json").read_text(encoding="utf-8"))
    assert overview["clv_model"]["model"] == "paretonbd"
    assert overview["as_of"] == "1998-06-30"  # the latest date when --as-of is not given
    assert '<html lang="zh-CN">' in (out / "report.html").read_text(encoding="utf-8")
    assert "已分析 2,357 位客户" in err


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        (
            "customer,date,amount\na,2024-01-01,1\nb,2024-01-02,2\n",
            ["--date-format", "%Y%m%d"],
            "column 'date' has a value '2024-01-01' that is not a date in format %Y%m%d",
        ),
        (
            "customer,date,amount\na,20240101,1\n",
            [],
            "column 'date' has a value '20240101' that is not a date in format ISO 8601",
        ),
        ("customer,when,amount\na,2024-01-01,1\n", [], "column(s) 'date' not in"),
        ("customer,date,amount\n", [], "has no rows"),
        ("customer,date,amount\na,2024-01-01,lots\n", [], "'amount' has missing or non-numeric"),
        (",2024-01-01,1\n,2024-01-02,2\n", [], "no usable rows"),
        ("customer,date,amount\na,2024-01-01,1\n", ["--as-of", "31/12/2024"], "--as-of"),
        ("customer,date,amount\na,2024-01-01,1\n", ["--threads", "0"], "--threads"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    content: str,
    extra: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "tx.csv"
    if content.startswith(","):  # every customer missing
        content = "customer,date,amount\n" + content
    path.write_text(content)
    code, out, err = run([str(path), *COLS, *extra, "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and out == ""
    assert message in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_file_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([str(tmp_path / "nope.csv"), *COLS, "--out", str(tmp_path)], capsys)
    assert code == 2 and "no such file" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(["x.csv", *COLS, "--model", "nope", "--out", "o"], capsys)
    assert code == 2 and "invalid choice" in err
    code, _, err = run(["x.csv", "--out", "o"], capsys)
    assert code == 2 and "required" in err


def test_single_customer_file_succeeds_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tx.csv"
    path.write_text("customer;date;amount\na;2024-01-01;10\na;2024-02-01;-3\na;2024-02-03;0\n")
    code, _, err = run([str(path), *COLS, "--out", str(tmp_path / "out")], capsys)
    assert code == 0, err
    overview = json.loads((tmp_path / "out" / "overview.json").read_text(encoding="utf-8"))
    assert [w["code"] for w in overview["warnings"]] == ["TOO_FEW_CUSTOMERS"]
    assert overview["input"]["return_rows"] == 1 and overview["input"]["zero_amount_rows"] == 1


def test_the_analyst_cli_starts_without_importing_scikit_learn() -> None:
    """scikit-learn is imported beside the run (a thread started by the run), not before it."""
    probe = (
        "import sys, guanxi.analytics.analyze_cli, guanxi.analytics.churn as churn\n"
        "before = 'sklearn' in sys.modules\n"
        "churn.ChurnModel\n"  # the package's names still import their module on use
        "print(before, 'sklearn' in sys.modules)"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found == ["False", "True"]
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        _ = churn_package.no_such_name
