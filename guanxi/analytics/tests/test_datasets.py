"""The one rule for finding the shared data sets: skip locally, fail under ``CI=true``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from guanxi.analytics.tests.datasets import (
    CDNOW_SAMPLE,
    ENV_VAR,
    REPOSITORY_ROOT,
    dataset_path,
    datasets_dir,
)


def test_default_folder_is_shared_datasets_beside_the_repository() -> None:
    assert datasets_dir({}) == REPOSITORY_ROOT.parent / "shared" / "datasets"
    assert (REPOSITORY_ROOT / "pyproject.toml").is_file()


def test_environment_variable_overrides_the_folder(tmp_path: Path) -> None:
    (tmp_path / "cdnow").mkdir()
    (tmp_path / CDNOW_SAMPLE).write_text("1 1 19970101 1 9.99\n")
    assert dataset_path(CDNOW_SAMPLE, {ENV_VAR: str(tmp_path)}) == tmp_path / CDNOW_SAMPLE


def test_missing_data_set_skips_with_its_path_without_ci(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(pytest.skip.Exception) as skipped:
        dataset_path(CDNOW_SAMPLE, {ENV_VAR: str(missing), "CI": "false"})
    assert f"{missing / CDNOW_SAMPLE}" in str(skipped.value)
    assert ENV_VAR in str(skipped.value)


def test_missing_data_set_fails_under_ci(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(pytest.fail.Exception) as failed:
        dataset_path(CDNOW_SAMPLE, {ENV_VAR: str(missing), "CI": "true"})
    assert f"{missing / CDNOW_SAMPLE}" in str(failed.value)
    assert "CI=true" in str(failed.value)


def _run_a_cdnow_test(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    """Run one real CDNOW test in a child pytest with the data-set folder pointing nowhere."""
    env = {**os.environ, ENV_VAR: str(tmp_path / "nowhere"), "CI": ci}
    module = "guanxi/analytics/clv/tests/test_published.py"
    test = f"{module}::test_cdnow_summary_matches_the_papers_counts"
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", test]
    return subprocess.run(
        command, cwd=REPOSITORY_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_cdnow_test_errors_under_ci_when_the_data_is_missing(tmp_path: Path) -> None:
    result = _run_a_cdnow_test(tmp_path, ci="true")
    assert result.returncode == 1, result.stdout
    assert "1 error" in result.stdout
    assert "CI=true, so the tests that need it must not skip" in result.stdout


def test_a_cdnow_test_skips_with_the_reason_locally_when_the_data_is_missing(
    tmp_path: Path,
) -> None:
    result = _run_a_cdnow_test(tmp_path, ci="")
    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
    assert f"data set {CDNOW_SAMPLE} not found" in result.stdout
