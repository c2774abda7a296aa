"""Time ``guanxi demo-data`` into a fresh database: wall time, rows/s, database size, peak RSS.

    python benchmarks/demo_data.py                      # 100k warm-up, then 1M customers, SQLite
    python benchmarks/demo_data.py --customers 100000 --warmup 0 \\
        --postgres postgresql://postgres@127.0.0.1:5432/postgres

SQLite runs go to a fresh temporary directory (``--keep DIR`` keeps the database, and its
Parquet export with ``--parquet``). PostgreSQL runs create a scratch database next to the
given URL's database and drop it afterwards. Target: 1M customers / ~20M transactions in at
most 600 s on a 2-core machine.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

GUANXI = Path(sys.executable).with_name("guanxi")
SCRATCH_DATABASE = "guanxi_demo_bench"
TARGET_SECONDS = 600


@dataclass
class Run:
    """Measurements of one load."""

    customers: int
    rows: dict[str, int]
    seconds: float
    peak_rss_mb: float
    size_mb: float

    def report(self) -> str:
        """A human-readable summary."""
        total = sum(self.rows.values())
        transactions = self.rows.get("customers_transaction", 0)
        return (
            f"{self.customers:,} customers, {transactions:,} transactions, {total:,} rows: "
            f"{self.seconds:.1f} s wall, {total / self.seconds:,.0f} rows/s "
            f"({transactions / self.seconds:,.0f} transactions/s), "
            f"database {self.size_mb:,.0f} MB, peak RSS {self.peak_rss_mb:,.0f} MB"
        )


def _run_guanxi(args: list[str], env: dict[str, str]) -> tuple[str, float, float]:
    """Run a guanxi command; return its output, wall seconds and peak RSS in MB.

    os.wait4 gives the resource usage of that one child, unlike getrusage(RUSAGE_CHILDREN).
    """
    with tempfile.TemporaryFile() as errors:
        began = time.perf_counter()
        process = subprocess.Popen(
            [str(GUANXI), *args], env=env, stdout=subprocess.PIPE, stderr=errors
        )
        output = process.stdout.read().decode()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-3000:]
            raise SystemExit(f"guanxi {' '.join(args)} failed:\n{output}{tail}")
    return output, seconds, usage.ru_maxrss / 1024


def _row_counts(output: str) -> dict[str, int]:
    """The per-table counts that ``guanxi demo-data`` prints."""
    return {
        table: int(count.replace(",", ""))
        for table, count in re.findall(r"^(customers_\w+)\s+([\d,]+)$", output, re.MULTILINE)
    }


def load(customers: int, months: int, env: dict[str, str], extra: list[str]) -> Run:
    """Migrate (untimed), then time one demo-data load."""
    _run_guanxi(["migrate", "-v", "0"], env)
    args = ["demo-data", "--customers", str(customers), "--months", str(months), *extra]
    output, seconds, rss = _run_guanxi(args, env)
    return Run(customers, _row_counts(output), seconds, rss, 0.0)


def sqlite_run(customers: int, months: int, directory: Path, parquet: bool) -> Run:
    """One load into a new SQLite file in ``directory``."""
    env = {**os.environ, "GUANXI_DATA_DIR": str(directory)}
    env.pop("DATABASE_URL", None)
    extra = ["--parquet-dir", str(directory / "parquet")] if parquet else []
    run = load(customers, months, env, extra)
    files = directory.glob("guanxi.sqlite3*")
    run.size_mb = sum(f.stat().st_size for f in files) / 2**20
    return run


@contextmanager
def scratch_postgres(url: str):
    """A scratch database on the server of ``url``, dropped afterwards; yields its URL."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE}")
        admin.execute(f"CREATE DATABASE {SCRATCH_DATABASE}")
    parts = urlsplit(url)
    scratch = urlunsplit(parts._replace(path=f"/{SCRATCH_DATABASE}"))
    try:
        yield scratch
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH_DATABASE} WITH (FORCE)")


def postgres_run(customers: int, months: int, url: str) -> Run:
    """One load into a scratch PostgreSQL database."""
    with tempfile.TemporaryDirectory() as data_dir, scratch_postgres(url) as scratch:
        env = {**os.environ, "DATABASE_URL": scratch, "GUANXI_DATA_DIR": data_dir}
        run = load(customers, months, env, [])
        with psycopg.connect(scratch) as conn:
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        run.size_mb = size / 2**20
        return run


def main() -> int:
    """Parse arguments, run the loads, print the figures; non-zero if over the target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--warmup", type=int, default=100_000, help="a smaller run first; 0: none")
    parser.add_argument("--postgres", metavar="URL", help="load into PostgreSQL at this server")
    parser.add_argument("--keep", type=Path, help="SQLite: keep the database in this directory")
    parser.add_argument("--parquet", action="store_true", help="SQLite: also export Parquet")
    args = parser.parse_args()
    sizes = [n for n in (args.warmup, args.customers) if n]
    last = None
    for customers in sizes:
        if args.postgres:
            last = postgres_run(customers, args.months, args.postgres)
        elif args.keep and customers == args.customers:
            if args.keep.exists() and any(args.keep.iterdir()):
                raise SystemExit(f"{args.keep} is not empty; remove it or choose another")
            args.keep.mkdir(parents=True, exist_ok=True)
            last = sqlite_run(customers, args.months, args.keep, args.parquet)
        else:
            with tempfile.TemporaryDirectory(dir="/tmp") as directory:
                last = sqlite_run(customers, args.months, Path(directory), args.parquet)
        engine = "PostgreSQL" if args.postgres else "SQLite"
        print(f"{engine}: {last.report()}", flush=True)
    return 0 if last is None or last.seconds <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
