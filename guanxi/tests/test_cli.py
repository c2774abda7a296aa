"""The ``guanxi`` console command's dispatch between analyst commands and Django commands."""

import subprocess
import sys
from pathlib import Path

from guanxi import cli
from guanxi.analytics.tests.datasets import CDNOW_SAMPLE, dataset_path


def test_files_go_to_the_analyst_cli_and_the_rest_to_django(tmp_path):
    assert cli._names_a_file([str(tmp_path / "tx.csv"), "--out", str(tmp_path / "out")])
    assert not cli._names_a_file(["--enqueue"])
    assert not cli._names_a_file([])


def test_a_missing_transaction_file_is_named_in_a_one_line_error(tmp_path, capsys):
    columns = ["--customer-col", "c", "--date-col", "d", "--amount-col", "a"]
    code = cli.main(["analyze", str(tmp_path / "missing.csv"), *columns, "--out", str(tmp_path)])
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
