"""The ``guanxi clv fit`` command, driven through ``guanxi.analytics.clv.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from guanxi.analytics.clv.cli import main

BASE_ARGS = ["--customer-col", "customer", "--date-col", "date", "--amount-col", "amount"]
CALIBRATION = ["--calibration-end", "1997-09-30", "--time-unit", "week"]


@pytest.fixture(scope="module")
def cdnow_csv(cdnow_transactions: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CDNOW has no header row; the command needs one, so write a headered copy."""
    path = tmp_path_factory.mktemp("cli") / "cdnow.csv"
    cdnow_transactions.to_csv(path, index=False)
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("model", "published"),
    [
        ("bgnbd", {"r": 0.243, "alpha": 4.41, "a": 0.793, "b": 2.43}),
        ("paretonbd", {"r": 0.553, "alpha": 10.6, "s": 0.606, "beta": 11.7}),
        ("gammagamma", {"p": 6.25, "q": 3.74, "gamma": 15.4}),
    ],
)
def test_fit_prints_json(
    model: str, published: dict, cdnow_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["fit", str(cdnow_csv), "--model", model, *BASE_ARGS, "--date-format", "%Y%m%d"]
    code, out, err = run([*argv, *CALIBRATION, "--json"], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {"model", "params", "log_likelihood", "n_customers"}
    assert result["model"] == model
    assert {k: float(f"{v:.3g}") for k, v in result["params"].items()} == published
    assert result["n_customers"] == (946 if model == "gammagamma" else 2357)


def test_fit_reads_parquet_and_prints_text(
    cdnow_transactions: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cdnow.parquet"
    cdnow_transactions.assign(
        date=pd.to_datetime(cdnow_transactions["date"], format="%Y%m%d")
    ).to_parquet(path)
    code, out, _ = run(["fit", str(path), "--model", "mbgnbd", *BASE_ARGS, *CALIBRATION], capsys)
    assert code == 0
    assert out.startswith("mbgnbd: r=0.5248") and "2357 customers" in out


def test_semicolon_csv_with_iso_dates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tx.csv"
    path.write_text(
        "customer;date;amount\na;2024-01-01;10\na;2024-01-09;12\nb;2024-01-03;5\n"
        "c;2024-01-02;7\nc;2024-01-20;8\nc;2024-01-25;9\n"
    )
    code, out, err = run(
        [
            "fit",
            str(path),
            *BASE_ARGS,
            "--calibration-end",
            "2024-01-31",
            "--time-unit",
            "day",
            "--json",
        ],
        capsys,
    )
    assert code == 0, err
    assert json.loads(out)["n_customers"] == 3


@pytest.mark.parametrize(
    ("extra", "content", "message"),
    [
        ([], "customer,when,amount\na,2024-01-01,1\n", "column(s) 'date' not in"),
        (
            ["--date-format", "%Y%m%d"],
            "customer,date,amount\na,2024-01-01,1\n",
            "'2024-01-01' that is not a date in format %Y%m%d",
        ),
        ([], "customer,date,amount\n", "has no rows"),
        ([], "customer,date,amount\na,2024-01-01,lots\n", "'amount' has missing or non-numeric"),
        (
            ["--calibration-end", "30/09/1997"],
            "customer,date,amount\na,2024-01-01,1\n",
            "--calibration-end '30/09/1997' is not a date",
        ),
    ],
)
def test_bad_files_exit_2_with_one_line(
    extra: list[str],
    content: str,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "tx.csv"
    path.write_text(content)
    code, out, err = run(["fit", str(path), *BASE_ARGS, *CALIBRATION, *extra], capsys)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_file_and_gammagamma_without_repeat_buyers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["fit", str(tmp_path / "nope.csv"), *BASE_ARGS, *CALIBRATION], capsys)
    assert code == 2 and "no such file" in err
    path = tmp_path / "tx.csv"
    path.write_text("customer,date,amount\na,1997-01-01,1\nb,1997-01-02,3\n")
    code, _, err = run(
        ["fit", str(path), "--model", "gammagamma", *BASE_ARGS, *CALIBRATION], capsys
    )
    assert code == 2 and "no customer has a repeat purchase" in err


def test_usage_errors_return_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["fit", "x.csv", "--model", "nope"], capsys)
    assert code == 2 and "invalid choice" in err
