"""The ``guanxi`` console command's dispatch between analyst commands and Django commands."""

import subprocess
import sys
from pathlib import Path

from guanxi import cli
from guanxi.analytics.tests.datasets import CDNOW_SAMPLE, dataset_path


def test_analyze_with_an_option_value_is_the_store_analysis(monkeypatch):
    ran = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: ran.append(argv)
    )
    assert cli.main(["analyze", "--verbosity", "0"]) == 0
    assert ran == [["guanxi", "analyze", "--verbosity", "0"]]


def test_analyze_file_runs_the_file_analyser(monkeypatch):
    from guanxi.analytics import analyze_cli

    monkeypatch.setattr(analyze_cli, "main", lambda argv: len(argv))
    assert cli.main(["analyze-file", "tx.csv", "--out", "out"]) == 3


def test_a_missing_transaction_file_is_named_in_a_one_line_error(tmp_path, capsys):
    columns = ["--customer-col", "c", "--date-col", "d", "--amount-col", "a"]
    missing = str(tmp_path / "missing.csv")
    code = cli.main(["analyze-file", missing, *columns, "--out", str(tmp_path)])
    assert code == 2
    assert "missing.csv" in capsys.readouterr().err


def test_console_command_fits_bgnbd_on_cdnow(tmp_path):
    cdnow = dataset_path(CDNOW_SAMPLE)
    headered = tmp_path / "cdnow.csv"
    rows = (line.split() for line in cdnow.read_text().splitlines() if line.strip())
    headered.write_text("cust,sample,date,cds,amount\n" + "\n".join(",".join(r) for r in rows))
    guanxi = Path(sys.executable).parent / "guanxi"
    command = [
        str(guanxi),
        "clv",
        "fit",
        str(headered),
        "--model",
        "bgnbd",
        "--customer-col",
        "cust",
    ]
    command += ["--date-col", "date", "--amount-col", "amount", "--date-format", "%Y%m%d"]
    command += ["--calibration-end", "1997-09-30", "--time-unit", "week", "--json"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert '"r": 0.24' in out and '"n_customers": 2357' in out
