"""How well the churn call list finds the customers who stop buying, on the demo data.

    .venv/bin/python benchmarks/churn_list_quality.py                  # 3,000 and 100,000
    .venv/bin/python benchmarks/churn_list_quality.py --sizes 3000 --holdout-months 6

Run from the repository root. For each size the script generates a demo bank with 24 months
of history (``guanxi demo-data --months 24 --parquet-dir``, into its own SQLite file under
``--work-dir``; kept and reused on later runs of the same day, ``--regenerate`` to redo),
runs the default analysis (:func:`guanxi.analytics.pipeline.analyze`, the settings a
nightly run uses) as of ``--holdout-months`` before the end of the history, and compares
what it flagged with what happened next.

The truth: the demo simulates BG/NBD-style dropout (``guanxi/demo/behaviour.py``: after every
purchase a customer leaves for good with a probability of its own), but it keeps only the
purchase times, not who dropped out when. What is observable is the held-out period: a
customer analysed as of ``as_of`` (one who bought before it) *churned* if it makes no
purchase in the months after ``as_of``. That label is noisy both ways -- a light buyer who
is still alive may simply not buy for six months, and a customer who drops out during the
held-out period after one more purchase counts as kept -- so precision and recall are
measured against "no purchase in the held-out months", and the base rate (the share of all
analysed customers who churned, the precision of a list drawn at random) is printed beside
them.

Printed per size: the number of customers analysed and churned; for the default call list
(``churn_priority``: the warned customers with the largest value at risk, 5 % of the
customers), for a list of the same size in the churn list's former order (severity, then
CLV) and for all churn warnings: size, precision, recall, and value recall (the share
of the churned customers' revenue of the year before ``as_of`` that the list covers -- what
value at risk ranks for). Days are local (Asia/Shanghai) days, as the store's analysis uses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, not an installed package

from guanxi.analytics.churn_rules import add_months  # noqa: E402
from guanxi.analytics.pipeline import AnalysisConfig, analyze  # noqa: E402

TIME_ZONE = "Asia/Shanghai"  # the demo's (and the store analysis's) local time


@dataclass
class Flagged:
    """How one list of customers compares with the churned ones."""

    name: str
    size: int
    precision: float
    recall: float
    value_recall: float

    def line(self) -> str:
        return (
            f"  {self.name:<22} {self.size:>8,} {self.precision:>10.1%} {self.recall:>8.1%}"
            f" {self.value_recall:>13.1%}"
        )


def generate(size: int, work_dir: Path, regenerate: bool) -> Path:
    """The demo's transactions.parquet for ``size`` customers (generated if missing)."""
    data_dir = work_dir / str(size)
    parquet = data_dir / "parquet" / "transactions.parquet"
    stamp = data_dir / "generated-on"
    # the demo's history ends at today's local midnight
    today = dt.datetime.now(ZoneInfo(TIME_ZONE)).date().isoformat()
    if parquet.exists() and not regenerate and stamp.exists() and stamp.read_text() == today:
        return parquet
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GUANXI_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": ""}
    env.pop("DJANGO_SETTINGS_MODULE")
    env.pop("DATABASE_URL", None)  # always the scratch SQLite file, never a configured store
    guanxi = [sys.executable, "-m", "guanxi.cli"]
    subprocess.run([*guanxi, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [
            *guanxi,
            "demo-data",
            "--customers",
            str(size),
            "--months",
            "24",
            "--reset",
            "--parquet-dir",
            str(data_dir / "parquet"),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,  # its progress bar; a failure shows the output
    )
    stamp.write_text(today)
    return parquet


def measure(parquet: Path, holdout_months: int) -> tuple[dict, list[Flagged]]:
    """Analyse as of ``holdout_months`` before the end; compare with the held-out months."""
    con = ibis.duckdb.connect()
    raw = con.read_parquet(parquet)
    log = raw.select(
        "customer_id", "amount", day=raw.occurred_at.cast(f"timestamp('{TIME_ZONE}')").date()
    )
    log = con.create_table("log", log, temp=True)
    end = log.day.max().to_pyarrow().as_py()
    as_of = _months_before(end, holdout_months)
    began = time.perf_counter()
    result = analyze(
        log,
        customer_col="customer_id",
        time_col="day",
        amount_col="amount",
        config=AnalysisConfig(as_of=as_of),
    )
    seconds = time.perf_counter() - began
    later = log.filter(log.day > as_of, log.amount > 0).select("customer_id").distinct()
    came_back = set(later.to_pyarrow()["customer_id"].to_pylist())
    customers = result.customers.filter(pc.is_valid(result.customers["n_purchases"]))
    ids = customers["customer_id"].to_numpy()
    churned = ~np.isin(ids, np.fromiter(came_back, dtype=ids.dtype, count=len(came_back)))
    revenue = customers["revenue_12m"].fill_null(0.0).to_numpy()
    listed = customers["churn_priority"]
    lists = [
        _compare("call list (default)", listed, churned, revenue),
        _compare(
            "same size, old order", _old_order(customers, pc.sum(listed).as_py()), churned, revenue
        ),
        _compare("all churn warnings", customers["churn_warning"], churned, revenue),
    ]
    facts = {
        "as_of": as_of,
        "end": end,
        "customers": len(ids),
        "churned": int(churned.sum()),
        "base_rate": float(churned.mean()),
        "seconds": seconds,
        "model": result.overview["clv_model"]["model"],
    }
    return facts, lists


def _old_order(customers: pa.Table, size: int) -> pa.Array:
    """The first ``size`` warnings in the churn list's order before value at risk: most
    rules fired first, then the largest CLV."""
    warned = np.flatnonzero(customers["churn_warning"].to_numpy(zero_copy_only=False))
    severity = customers["churn_severity"].to_numpy(zero_copy_only=False)[warned]
    clv = customers["clv"].fill_null(-np.inf).to_numpy()[warned]
    first = warned[np.lexsort((-clv, -severity))[:size]]
    flags = np.zeros(customers.num_rows, dtype=bool)
    flags[first] = True
    return pa.array(flags)


def _compare(
    name: str, flags: pa.Array | pa.ChunkedArray, churned: np.ndarray, revenue: np.ndarray
) -> Flagged:
    flagged = pc.fill_null(flags, False).to_numpy(zero_copy_only=False)
    hits = flagged & churned
    lost = revenue[churned].sum()
    return Flagged(
        name=name,
        size=int(flagged.sum()),
        precision=float(hits.sum() / flagged.sum()) if flagged.any() else float("nan"),
        recall=float(hits.sum() / churned.sum()) if churned.any() else float("nan"),
        value_recall=float(revenue[hits].sum() / lost) if lost > 0 else float("nan"),
    )


def _months_before(day: dt.date, months: int) -> dt.date:
    first = add_months(day, -months)
    last_day = (add_months(first, 1) - dt.timedelta(days=1)).day
    return first.replace(day=min(day.day, last_day))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[3_000, 100_000])
    parser.add_argument("--holdout-months", type=int, default=6)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/guanxi-churn-quality"))
    parser.add_argument("--regenerate", action="store_true", help="generate the data again")
    args = parser.parse_args(argv)
    for size in args.sizes:
        parquet = generate(size, args.work_dir, args.regenerate)
        facts, lists = measure(parquet, args.holdout_months)
        print(
            f"\n{size:,} demo customers: analysed as of {facts['as_of']} ({facts['model']},"
            f" {facts['seconds']:.1f} s), churned = no purchase from then to {facts['end']}"
        )
        print(
            f"  {facts['customers']:,} customers analysed, {facts['churned']:,} churned"
            f" (base rate {facts['base_rate']:.1%}: the precision of a random list)"
        )
        print(f"  {'list':<22} {'size':>8} {'precision':>10} {'recall':>8} {'value recall':>13}")
        for flagged in lists:
            print(flagged.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
