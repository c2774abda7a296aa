"""Time ``guanxi analyze-file`` on the demo data at several sizes: wall time, peak RSS, scaling.

    .venv/bin/python benchmarks/analyze_scale.py                       # 100k, 1M, 5M customers
    .venv/bin/python benchmarks/analyze_scale.py --sizes 1000000 --threads 2

The 1M input is the demo generator's Parquet export (``guanxi demo-data --parquet-dir``;
default ``/tmp/guanxi-1m/parquet/transactions.parquet``: customer_id, occurred_at, amount,
product_code, channel). Other sizes are built from it with DuckDB SQL into ``--work-dir``:
smaller ones keep a hash sample of the customers, larger ones stack copies of the whole log
with the customer ids offset per copy (5M = 5 copies, about 100M rows). Each run is a child
process (``python -m guanxi.analytics.analyze_cli``) so that its peak RSS is measured alone
(``wait4``). Load averages are recorded beside every run: on a shared machine they explain
more of the variation than the code. Target: 1M customers in at most 30 s and 6 GB.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

SOURCE = Path("/tmp/guanxi-1m/parquet/transactions.parquet")
BASE_CUSTOMERS = 1_000_000  # customers the demo generator was asked for
TARGET_SECONDS = 30.0
TARGET_RSS_MB = 6 * 1024


@dataclass
class Run:
    """Measurements of one ``guanxi analyze-file`` run."""

    size: int
    customers: int
    transactions: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    timings: dict[str, float]

    def report(self) -> str:
        """One human-readable line."""
        steps = ", ".join(f"{k} {v:.1f}" for k, v in self.timings.items())
        return (
            f"{self.size:>9,} ({self.customers:,} customers with purchases, "
            f"{self.transactions:,} transactions): {self.seconds:.1f} s wall, "
            f"{self.cpu_seconds:.1f} s CPU, "
            f"peak RSS {self.peak_rss_mb:,.0f} MB; load {_load(self.load_before)} -> "
            f"{_load(self.load_after)}; steps [{steps}]"
        )


def _load(values: tuple[float, float, float]) -> str:
    return "/".join(f"{v:.2f}" for v in values)


def build_input(source: Path, size: int, work_dir: Path, threads: int) -> Path:
    """The transaction file for ``size`` customers (the source itself for the base size)."""
    if size == BASE_CUSTOMERS:
        return source
    target = work_dir / f"transactions_{size}.parquet"
    if target.exists():
        return target
    work_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"threads": threads})
    src = f"read_parquet('{source}')"
    if size < BASE_CUSTOMERS:
        # A deterministic sample of customers (all of each one's transactions).
        modulus = round(BASE_CUSTOMERS / size)
        query = f"SELECT * FROM {src} WHERE hash(customer_id) % {modulus} = 0"
    else:
        copies = math.ceil(size / BASE_CUSTOMERS)
        offset = con.sql(f"SELECT max(customer_id) + 1 FROM {src}").fetchone()[0]
        query = (
            f"SELECT customer_id + k * {offset} AS customer_id, occurred_at, amount, "
            f"product_code, channel FROM {src}, range({copies}) AS copies(k)"
        )
    began = time.perf_counter()
    con.sql(f"COPY ({query}) TO '{target}' (FORMAT parquet)")
    print(f"built {target} in {time.perf_counter() - began:.0f} s", flush=True)
    return target


def count_rows(path: Path) -> tuple[int, int]:
    """Transactions and distinct customers of a Parquet file."""
    sql = f"SELECT count(*), count(DISTINCT customer_id) FROM read_parquet('{path}')"
    rows, customers = duckdb.sql(sql).fetchone()
    return int(rows), int(customers)


def analyze(path: Path, size: int, out: Path, threads: int, memory_limit: str) -> Run:
    """Run ``guanxi analyze-file`` on ``path`` in a child process and measure it."""
    argv = [
        sys.executable,
        "-m",
        "guanxi.analytics.analyze_cli",
        str(path),
        "--customer-col",
        "customer_id",
        "--date-col",
        "occurred_at",
        "--amount-col",
        "amount",
        "--threads",
        str(threads),
        "--memory-limit",
        memory_limit,
        "--out",
        str(out),
    ]
    load_before = os.getloadavg()
    began = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read().decode()  # drain before waiting: the pipe could fill
    # wait4, not wait: the child's own resource usage, whatever ran before it
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"guanxi analyze-file failed on {path}:\n{stderr}")
    overview = json.loads((out / "overview.json").read_text(encoding="utf-8"))
    return Run(
        size=size,
        customers=overview["n_customers"],
        transactions=overview["n_transactions"],
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        load_before=load_before,
        load_after=os.getloadavg(),
        timings=overview["timings"],
    )


def main() -> int:
    """Build the inputs, run the analyses, print the figures; non-zero if 1M misses a target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--sizes", default="100000,1000000,5000000")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/guanxi-analyze-bench"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-limit", default="4GB")
    args = parser.parse_args()
    if not args.source.is_file():
        raise SystemExit(f"{args.source} not found: run guanxi demo-data --parquet-dir first")
    rows, customers = count_rows(args.source)
    print(f"source {args.source}: {rows:,} transactions, {customers:,} customers", flush=True)
    runs = []
    for size in sorted(int(s) for s in args.sizes.split(",")):
        path = build_input(args.source, size, args.work_dir, args.threads)
        runs.append(
            analyze(path, size, args.work_dir / f"out_{size}", args.threads, args.memory_limit)
        )
        print(runs[-1].report(), flush=True)
    base = next((r for r in runs if r.size == BASE_CUSTOMERS), None)
    for run in runs:
        if base is not None and run is not base:
            time_ratio, size_ratio = run.seconds / base.seconds, run.size / base.size
            print(
                f"{run.size:,}: {time_ratio:.2f}x the 1M time for {size_ratio:.1f}x the customers"
            )
    if base is None:
        return 0
    return 0 if base.seconds <= TARGET_SECONDS and base.peak_rss_mb <= TARGET_RSS_MB else 1


if __name__ == "__main__":
    sys.exit(main())
