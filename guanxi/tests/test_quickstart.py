"""quickstart.py installs what each command needs: the demo the package, the tests their extras."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def quickstart(tmp_path, monkeypatch):
    """quickstart.py with its virtualenv in tmp_path and pip calls recorded, not run."""
    spec = importlib.util.spec_from_file_location("quickstart", ROOT / "quickstart.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.touch()
    monkeypatch.setattr(module, "PYTHON", python)
    monkeypatch.setattr(module, "STAMP", tmp_path / "stamp")
    module.installs = []
    monkeypatch.setattr(module, "say", lambda message: None)

    def run(*args, env=None):
        if "-e" in args:
            module.installs.append(args[args.index("-e") + 1])

    monkeypatch.setattr(module, "run", run)
    return module


def test_the_demo_installs_the_package_without_test_extras(quickstart):
    quickstart.ensure_installed([])
    assert quickstart.installs == ["."]


def test_the_tests_install_the_test_and_spark_extras(quickstart):
    quickstart.ensure_installed(["test", "spark"])
    assert quickstart.installs == [".[spark,test]"]


def test_the_tests_after_the_demo_add_their_extras_and_the_demo_after_them_installs_nothing(
    quickstart,
):
    quickstart.ensure_installed([])
    quickstart.ensure_installed(["test", "spark"])
    quickstart.ensure_installed([])
    quickstart.ensure_installed(["test", "spark"])
    assert quickstart.installs == [".", ".[spark,test]"]


def test_changed_pins_are_installed_again(quickstart):
    quickstart.ensure_installed(["test", "spark"])
    quickstart.STAMP.write_text('{"pins": "older", "extras": ["spark", "test"]}')
    quickstart.ensure_installed([])
    assert quickstart.installs == [".[spark,test]", "."]
