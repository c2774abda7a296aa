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


def _environment(language: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    return {**env, "LANG": language}


def _guanxi(*args: str, language: str) -> str:
    guanxi = Path(sys.executable).parent / "guanxi"
    run = subprocess.run(
        [str(guanxi), *args], capture_output=True, text=True, check=True, env=_environment(language)
    )
    return run.stdout


def test_the_overview_lists_the_analyst_commands_in_chinese(monkeypatch, capsys):
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "分析命令（无需数据库）" in out and "analyze-file" in out
    assert "Analyst commands" not in out


def test_the_overview_is_english_in_an_english_environment(monkeypatch, capsys):
    monkeypatch.setenv("LANGUAGE", "en_US")
    assert cli.main([]) == 0
    assert "Analyst commands (no database):" in capsys.readouterr().out


def test_every_overview_line_has_a_chinese_translation(monkeypatch):
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    from guanxi.analytics.messages import _

    texts = [text for _name, text in (*cli.ANALYST_COMMANDS, *cli.STORE_COMMANDS)]
    assert [t for t in texts if _(t) == t] == []


def test_a_django_commands_help_follows_the_environments_language():
    chinese = _guanxi("create-token", "--help", language="zh_CN.UTF-8")
    english = _guanxi("create-token", "--help", language="en_US.UTF-8")
    assert "签发一个 REST API 令牌" in chinese
    assert "Issue a bearer token for the REST API" in english
    assert "签发" not in english


def test_the_analyst_command_path_loads_no_django():
    probe = (
        "import sys; from guanxi import cli; "
        "code = cli.main(['clv', 'fit', '--help']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    env = _environment("zh_CN.UTF-8")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert "计入的最后一天" in run.stdout
    assert run.stdout.strip().endswith("[]")
