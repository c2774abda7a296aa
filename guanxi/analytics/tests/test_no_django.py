"""``guanxi.analytics`` is a pure library: no module of it (tests included) imports Django.

Two checks: a fresh interpreter imports every module of the package and finds no ``django``
in ``sys.modules`` (this catches an import through another Guanxi package), and a scan of the
source finds no ``import django`` / ``from django`` and no import of a Guanxi package outside
``guanxi.analytics``.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import guanxi.analytics

PACKAGE_DIR = Path(guanxi.analytics.__file__).resolve().parent
REPOSITORY_ROOT = PACKAGE_DIR.parents[1]

IMPORT_EVERYTHING = """
import importlib, json, pkgutil, sys
import guanxi.analytics
names = [m.name for m in pkgutil.walk_packages(guanxi.analytics.__path__, "guanxi.analytics.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({
    "imported": names,
    "django": sorted(m for m in sys.modules if m == "django" or m.startswith("django.")),
}))
"""


def forbidden_imports(source: str) -> list[str]:
    """The imports of Django, or of a Guanxi package other than ``guanxi.analytics``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "guanxi":
            modules = [f"guanxi.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        else:
            continue
        for module in modules:
            top = module.split(".")[0]
            outside = top == "guanxi" and not (
                module == "guanxi.analytics" or module.startswith("guanxi.analytics.")
            )
            if top == "django" or outside:
                found.append(f"line {node.lineno}: {module}")
    return found


def test_importing_every_analytics_module_loads_no_django() -> None:
    # A settings module in the environment must not matter: the library never reads it.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "guanxi.settings"}
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        cwd=REPOSITORY_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["django"] == []
    # It reached the whole package: the split packages and the tests included.
    for module in (
        "guanxi.analytics.pipeline.run",
        "guanxi.analytics.churn.model",
        "guanxi.analytics.clv.bgnbd",
        "guanxi.analytics.tests.test_pipeline",
    ):
        assert module in report["imported"]


def test_no_analytics_source_imports_django_or_another_guanxi_package() -> None:
    files = sorted(PACKAGE_DIR.rglob("*.py"))
    assert len(files) > 50
    offenders = {
        str(path.relative_to(PACKAGE_DIR)): found
        for path in files
        if (found := forbidden_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_source_scan_recognises_every_form_of_forbidden_import() -> None:
    source = (
        "import django\n"
        "from django.db import models\n"
        "import django.conf as conf\n"
        "from guanxi.customers import services\n"
        "from guanxi import policy, analytics\n"
        "from guanxi.analytics.rfm import rfm_scores\n"
        "from . import helpers\n"
        "import djangoish\n"
    )
    assert forbidden_imports(source) == [
        "line 1: django",
        "line 2: django.db",
        "line 3: django.conf",
        "line 4: guanxi.customers",
        "line 5: guanxi.policy",
    ]
