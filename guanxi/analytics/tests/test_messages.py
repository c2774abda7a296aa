"""The analyst commands speak the environment's language, from their own catalogue."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

from guanxi.analytics import analyze_cli, churn_cli, messages
from guanxi.analytics.clv import cli as clv_cli

PACKAGE_DIR = Path(messages.__file__).resolve().parent
CLI_MODULES = (clv_cli, churn_cli, analyze_cli)
CATALOGUE = PACKAGE_DIR / "locale" / messages.CHINESE / "LC_MESSAGES"


def _clear(monkeypatch) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANGUAGE": "zh_CN:en", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LC_MESSAGES": "zh_TW.UTF-8"}, "zh"),
    ],
)
def test_the_language_is_read_from_the_environment_as_gettext_reads_it(environ, language):
    assert messages.environment_language(environ) == language


def test_clv_fit_help_is_chinese_in_a_chinese_environment(monkeypatch, capsys):
    _clear(monkeypatch)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert clv_cli.main(["fit", "--help"]) == 0
    out = capsys.readouterr().out
    assert "计入的最后一天" in out
    assert "last day counted" not in out


def test_clv_fit_help_is_english_otherwise(monkeypatch, capsys):
    _clear(monkeypatch)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert clv_cli.main(["fit", "--help"]) == 0
    assert "last day counted, YYYY-MM-DD" in capsys.readouterr().out


def test_an_input_error_is_one_chinese_line(monkeypatch, capsys, tmp_path):
    _clear(monkeypatch)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    argv = ["fit", str(tmp_path / "t.csv"), "--customer-col", "c", "--date-col", "d"]
    assert clv_cli.main([*argv, "--calibration-end", "soon"]) == 2
    err = capsys.readouterr().err
    assert err == "guanxi clv fit：错误：--calibration-end 'soon' 不是形如 1997-09-30 的日期\n"


def _literal_messages(module) -> set[str]:
    """The texts a CLI module gives to ``_``: string literals and its docstring's first line."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    found = {module.__doc__.splitlines()[0]}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "_"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def test_every_text_of_the_analyst_commands_has_a_chinese_translation():
    with open(CATALOGUE / f"{messages.DOMAIN}.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    texts = set().union(*(_literal_messages(m) for m in CLI_MODULES))
    missing = sorted(t for t in texts if catalogue.gettext(t) == t)
    assert missing == []


def test_the_compiled_catalogue_says_what_its_source_says():
    source = (CATALOGUE / f"{messages.DOMAIN}.po").read_text(encoding="utf-8")
    pairs = re.findall(r'^msgid (".+")\nmsgstr (".*")$', source, flags=re.MULTILINE)
    with open(CATALOGUE / f"{messages.DOMAIN}.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    assert len(pairs) > 50
    for msgid, msgstr in pairs:
        assert catalogue.gettext(ast.literal_eval(msgid)) == ast.literal_eval(msgstr)
