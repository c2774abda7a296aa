"""Time the nightly analysis (``guanxi analyze``) on a store: every phase, the whole run, memory.

    GUANXI_DATA_DIR=/work/bench/1m .venv/bin/python benchmarks/nightly.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_1m \
        .venv/bin/python benchmarks/nightly.py --runs 2

Runs ``run_analysis`` in this process exactly as the command does (snapshot, analysis, churn
model, cross-selling, KPI cells, write-back in one transaction) ``--runs`` times in a row: the
first run after demo data moves most value tiers, a later one is the steady nightly state.
Reports per run the wall seconds of each phase (the run's own step timings, and the store-side
phases it keeps in ``overview["timings"]``), the run's analyse and write seconds, the whole
wall time, the process's peak resident memory, the load average and a machine-speed reference
(``customer_reads.machine_speed_ms``). Target: at most 120 s for 1,000,000 customers.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, not an installed package
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")

from benchmarks.customer_reads import machine_speed_ms  # noqa: E402

TARGET_SECONDS = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="analysis runs in a row")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from guanxi.insights.services import run_analysis

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"machine speed {machine_speed_ms()} ms, load {os.getloadavg()[0]:.1f}")
    for number in range(1, args.runs + 1):
        began = time.perf_counter()
        run = run_analysis()
        wall = time.perf_counter() - began
        timings = run.overview.get("timings", {}) if run.overview else {}
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"run {number} ({run.status}): {wall:.1f} s wall"
            f" (analyse {run.seconds_analyse} s, write {run.seconds_write} s),"
            f" peak RSS {peak:,.0f} MB, load {os.getloadavg()[0]:.1f},"
            f" {'meets' if wall <= TARGET_SECONDS else 'misses'} the {TARGET_SECONDS:.0f} s target"
        )
        phases = ", ".join(f"{code} {seconds:.1f}" for code, seconds in timings.items())
        print(f"  phases: {phases}")
        print(f"  counts: {run.counts}")
    print(f"machine speed {machine_speed_ms()} ms, load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
