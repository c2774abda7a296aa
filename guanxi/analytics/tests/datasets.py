"""Where the tests find the shared real data sets (CDNOW, Telco): one rule for every test.

The data sets live outside the repository, in ``shared/datasets`` beside it (a checkout at
``work/main`` reads ``work/shared/datasets``); ``GUANXI_DATASETS_DIR`` points elsewhere. A
missing file skips the test with a message on a developer's machine, but fails it when
``CI=true``: there the published-result tests must run, and a silent skip would hide that
they did not. Plain pytest, no Django: the analytics tests and the Django tests both use it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

ENV_VAR = "GUANXI_DATASETS_DIR"
REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
CDNOW_SAMPLE = "cdnow/CDNOW_sample.txt"
TELCO_TRAIN = "telco/telco_churn_train.csv"


def datasets_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """The data-set folder: ``$GUANXI_DATASETS_DIR``, else ``../shared/datasets`` of the repo."""
    override = environ.get(ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return REPOSITORY_ROOT.parent / "shared" / "datasets"


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the tests run in continuous integration (``CI=true``, as CI services set it)."""
    return environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def dataset_path(relative: str, environ: Mapping[str, str] = os.environ) -> Path:
    """The path of data-set file ``relative`` (e.g. :data:`CDNOW_SAMPLE`).

    Skips the calling test when the file is missing, or fails it when ``CI=true``.
    """
    root = datasets_dir(environ)
    path = root / relative
    if path.is_file():
        return path
    where = f"${ENV_VAR}" if environ.get(ENV_VAR, "").strip() else "shared/datasets beside the repo"
    message = f"data set {relative} not found at {path} (looked in {where}; set {ENV_VAR})"
    if in_ci(environ):
        pytest.fail(f"{message}; CI=true, so the tests that need it must not skip", pytrace=False)
    pytest.skip(message)
