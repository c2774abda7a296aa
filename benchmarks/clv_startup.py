"""Whole-process time of ``guanxi clv fit`` against lifetimes doing the same in one fresh process.

    .venv/bin/python benchmarks/clv_startup.py --runs 15

Both sides start a new Python process, read the CDNOW sample as a headered CSV, build the
calibration summary (ends 1997-09-30, weeks) and fit BG/NBD: ``guanxi clv fit`` on ours, the
equivalent pandas + ``lifetimes`` script in ``benchmarks/.venv-lifetimes`` on theirs (created
by ``clv_vs_lifetimes.py`` on first use). The runs alternate (guanxi, lifetimes, guanxi, ...)
so that a neighbour's load on the shared machine falls on both alike; each reports wall time
and the child's CPU time (``wait4``), as median and spread, beside the load average and a
machine-speed reference taken before and after. Target: guanxi's median wall time below
lifetimes'.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, not an installed package

from benchmarks.clv_vs_lifetimes import CDNOW, ensure_side_venv  # noqa: E402
from benchmarks.customer_reads import machine_speed_ms  # noqa: E402

CALIBRATION_END = "1997-09-30"
# Runs inside the side venv: lifetimes' own way to the same fit, from the same CSV.
LIFETIMES_SCRIPT = """
import sys, warnings
warnings.simplefilter("ignore")
import pandas as pd
from lifetimes import BetaGeoFitter
from lifetimes.utils import summary_data_from_transaction_data
tx = pd.read_csv(sys.argv[1], dtype={"customer": str, "date": str})
tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
rfm = summary_data_from_transaction_data(tx, "customer", "date", monetary_value_col="amount",
    observation_period_end=sys.argv[2], freq="D")
rfm["recency"] /= 7
rfm["T"] /= 7
fitted = BetaGeoFitter().fit(rfm["frequency"], rfm["recency"], rfm["T"])
print(", ".join(f"{k}={v:.4g}" for k, v in fitted.params_.items()), len(rfm))
"""


def write_headered_csv(target: Path) -> None:
    """The CDNOW sample (whitespace-separated, CRLF, no header) as a plain CSV with a header."""
    lines = ["customer,sample_id,date,cds,amount"]
    for line in CDNOW.read_text().splitlines():
        customer, sample, date, cds, amount = line.split()
        lines.append(f"{int(customer)},{int(sample)},{date},{cds},{amount}")
    target.write_text("\n".join(lines) + "\n")


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of the child) and stdout of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    out = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed: {out}")
    return wall, usage.ru_utime + usage.ru_stime, out.strip()


def describe(values: list[float]) -> str:
    quartiles = statistics.quantiles(values, n=4)
    return (
        f"median {statistics.median(values):5.2f}  IQR {quartiles[0]:.2f}-{quartiles[2]:.2f}"
        f"  min {min(values):.2f}  max {max(values):.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per side (>= 3)")
    runs = max(parser.parse_args().runs, 3)
    lifetimes_python = ensure_side_venv()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "cdnow.csv"
        write_headered_csv(csv_path)
        commands = {
            "guanxi": [sys.executable, "-m", "guanxi.cli", "clv", "fit", str(csv_path)]
            + ["--customer-col", "customer", "--date-col", "date", "--amount-col", "amount"]
            + ["--date-format", "%Y%m%d", "--calibration-end", CALIBRATION_END]
            + ["--time-unit", "week"],
            "lifetimes": [str(lifetimes_python), "-c", LIFETIMES_SCRIPT, str(csv_path)]
            + [CALIBRATION_END],
        }
        speed_before, load_before = machine_speed_ms(), os.getloadavg()[0]
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        outputs = {}
        for _ in range(runs):
            for name, command in commands.items():
                wall, cpu, outputs[name] = timed(command, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
        speed_after, load_after = machine_speed_ms(), os.getloadavg()[0]
    print(f"CDNOW sample, calibration end {CALIBRATION_END}, BG/NBD; {runs} alternating runs")
    print(f"machine speed {speed_before} / {speed_after} ms (before/after; lower is faster)")
    print(f"load average (1 min) {load_before:.1f} / {load_after:.1f}")
    for name in commands:
        print(f"{name:<10} wall s  {describe(walls[name])}")
        print(f"{'':<10} CPU s   {describe(cpus[name])}")
        print(f"{'':<10} output  {outputs[name]}")
    ratio = statistics.median(walls["lifetimes"]) / statistics.median(walls["guanxi"])
    print(f"guanxi is {ratio:.2f}x lifetimes' speed (median wall time)")


if __name__ == "__main__":
    main()
