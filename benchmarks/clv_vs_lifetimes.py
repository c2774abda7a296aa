"""Benchmark guanxi.analytics.clv against lifetimes 0.11.3 on the CDNOW sample.

Run from the repository root with ``.venv/bin/python benchmarks/clv_vs_lifetimes.py``. The
first run creates ``benchmarks/.venv-lifetimes`` (lifetimes needs old pandas/numpy/scipy, so it
cannot share our environment); lifetimes is timed there through a subprocess.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, not an installed package

from guanxi.analytics.clv import BetaGeoFitter, GammaGammaFitter, calibration_summary  # noqa: E402
from guanxi.analytics.tests.datasets import CDNOW_SAMPLE, datasets_dir  # noqa: E402

SIDE_VENV = ROOT / "benchmarks" / ".venv-lifetimes"
LIFETIMES_REQUIREMENTS = ["lifetimes==0.11.3", "pandas<2", "numpy<1.24", "scipy<1.11"]
CDNOW = datasets_dir() / CDNOW_SAMPLE  # $GUANXI_DATASETS_DIR or ../shared/datasets
CALIBRATION_END = "1997-09-30"

# Runs inside the side venv: times lifetimes on the same inputs and prints JSON.
LIFETIMES_SCRIPT = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data

raw_path, summary_path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
summary = pd.read_csv(summary_path)

def best(fn):
    times = []
    for _ in range(repeats):
        start = time.perf_counter(); fn(); times.append(time.perf_counter() - start)
    return min(times)

def fit_bgnbd():
    return BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])

def pipeline():
    tx = pd.read_csv(raw_path, sep=r"\\s+", header=None, dtype={2: str},
                     names=["customer", "sample_id", "date", "cds", "amount"])
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    rfm = summary_data_from_transaction_data(tx, "customer", "date", monetary_value_col="amount",
        observation_period_end="1997-09-30", freq="D")
    rfm["recency"] /= 7
    rfm["T"] /= 7
    BetaGeoFitter().fit(rfm["frequency"], rfm["recency"], rfm["T"])
    repeat = rfm[rfm["frequency"] > 0]
    GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])

print(json.dumps({"bgnbd_fit": best(fit_bgnbd), "pipeline": best(pipeline),
                  "params": fit_bgnbd().params_.to_dict()}))
"""


def ensure_side_venv() -> Path:
    """Create the lifetimes venv on first use and return its python."""
    python = SIDE_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {SIDE_VENV} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(SIDE_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *LIFETIMES_REQUIREMENTS], check=True
        )
    return python


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def read_cdnow() -> pd.DataFrame:
    tx = pd.read_csv(
        CDNOW,
        sep=r"\s+",
        header=None,
        names=["customer", "sample_id", "date", "cds", "amount"],
        dtype={"date": str},
    )
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    return tx


def summarise(tx: pd.DataFrame) -> pd.DataFrame:
    return calibration_summary(
        tx,
        customer_col="customer",
        date_col="date",
        amount_col="amount",
        calibration_end=dt.date.fromisoformat(CALIBRATION_END),
        time_unit="week",
    )


def guanxi_pipeline() -> None:
    summary = summarise(read_cdnow())
    BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[summary["frequency"] > 0]
    GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="best of this many runs (>= 5)")
    repeats = max(parser.parse_args().repeats, 5)
    python = ensure_side_venv()
    summary = summarise(read_cdnow())
    with tempfile.TemporaryDirectory() as tmp:
        summary_path = Path(tmp) / "summary.csv"
        summary.to_csv(summary_path)
        completed = subprocess.run(
            [str(python), "-c", LIFETIMES_SCRIPT, str(CDNOW), str(summary_path), str(repeats)],
            check=True,
            capture_output=True,
            text=True,
        )
    theirs = json.loads(completed.stdout)
    data = summary["frequency"], summary["recency"], summary["T"]
    ours = {
        "bgnbd_fit": best_of(repeats, lambda: BetaGeoFitter().fit(*data)),
        "pipeline": best_of(repeats, guanxi_pipeline),
    }
    print(f"CDNOW sample, {len(summary)} customers, best of {repeats} runs")
    print(f"{'task':<44}{'lifetimes':>12}{'guanxi':>12}{'speed-up':>10}")
    labels = {
        "bgnbd_fit": "BG/NBD fit on the calibration summary",
        "pipeline": "raw file -> summary -> BG/NBD + Gamma-Gamma",
    }
    for key, label in labels.items():
        print(
            f"{label:<44}{theirs[key] * 1e3:>10.1f}ms{ours[key] * 1e3:>10.1f}ms"
            f"{theirs[key] / ours[key]:>9.1f}x"
        )
    fitted = BetaGeoFitter().fit(*data).params_
    print("BG/NBD params  lifetimes:", {k: round(v, 4) for k, v in theirs["params"].items()})
    print("               guanxi:   ", {k: round(v, 4) for k, v in fitted.items()})


if __name__ == "__main__":
    main()
