"""How well the churn call list finds the customers who stop buying, on the demo data.

    .venv/bin/python benchmarks/churn_list_quality.py                  # 3,000 and 100,000
    .venv/bin/python benchmarks/churn_list_quality.py --sizes 3000 --holdout-months 6

Run from the repository root. For each size the script generates a demo bank with 24 months
of history (``guanxi demo-data --months 24 --parquet-dir --truth``, into its own SQLite file
under ``--work-dir``; kept and reused on later runs of the same day, ``--regenerate`` to
redo), runs the default analysis (:func:`guanxi.analytics.pipeline.analyze`, the settings a
nightly run uses) as of ``--holdout-months`` before the end of the history, and compares
what it flagged with two answers:

- **the truth**: the demo simulates BG/NBD-style dropout (``guanxi/demo/behaviour.py``:
  after every purchase a customer leaves for good with a probability of its own) and
  ``--truth`` writes down who left when (:mod:`guanxi.demo.truth`). A customer analysed
  as of ``as_of`` *stopped* if their last purchase, the one after which they left, is on or
  before ``as_of``. Precision is measured against all of them; recall only against those
  who stopped with revenue in the 12 months before ``as_of`` (the ones worth a call: a
  customer who left a year and a half ago brings in nothing any more).
- **the held-out proxy**, what a company can observe: a customer *churned* if it makes no
  purchase in the months after ``as_of``. It is noisy both ways -- a light buyer who is
  still alive may simply not buy for six months, and a customer who drops out during the
  held-out period after one more purchase counts as kept. Recall here counts all churned
  customers, as before the truth existed.

Printed per size: the customers analysed, the stopped and churned ones with their base rates
(the precision of a list drawn at random); then for the default call list
(``churn_priority``: the warned customers with the largest value at risk, 5 % of the
customers), for a list of the same size in the churn list's former order (severity, then
CLV), for the same number of customers with the highest churn probability (whatever model
fills ``churn_probability``) and for all churn warnings: size, and against each answer
precision, recall and value recall (the share of the leavers' revenue of the year before
``as_of`` that the list covers -- what value at risk ranks for). Days are local
(Asia/Shanghai) days, as the store's analysis uses.
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
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, not an installed package

from guanxi.analytics.churn_rules import add_months  # noqa: E402
from guanxi.analytics.pipeline import AnalysisConfig, analyze  # noqa: E402
from guanxi.demo.list_quality import ListQuality, list_quality, stopped_by, top  # noqa: E402

TIME_ZONE = "Asia/Shanghai"  # the demo's (and the store analysis's) local time


@dataclass
class Flagged:
    """How one list of customers compares with the truth and with the held-out proxy."""

    name: str
    truth: ListQuality
    proxy: ListQuality

    def line(self) -> str:
        t, p = self.truth, self.proxy
        return (
            f"  {self.name:<22} {t.size:>7,}"
            f" {t.precision:>9.1%} {t.valued_recall:>7.1%} {t.value_recall:>7.1%}"
            f"   {p.precision:>9.1%} {p.recall:>7.1%} {p.value_recall:>7.1%}"
        )


HEADER = (
    f"  {'':<22} {'':>7} {'truth: stopped by as_of':^25}   {'proxy: none bought after':^25}\n"
    f"  {'list':<22} {'size':>7}"
    + f" {'precision':>9} {'recall*':>7} {'value':>7}   {'precision':>9} {'recall':>7} {'value':>7}"
)


def generate(size: int, work_dir: Path, regenerate: bool) -> tuple[Path, Path]:
    """The demo's transactions.parquet and truth.parquet for ``size`` customers (generated
    if missing)."""
    data_dir = work_dir / str(size)
    parquet = data_dir / "parquet" / "transactions.parquet"
    truth = data_dir / "truth.parquet"
    stamp = data_dir / "generated-on"
    # the demo's history ends at today's local midnight
    today = dt.datetime.now(ZoneInfo(TIME_ZONE)).date().isoformat()
    made = parquet.exists() and truth.exists() and stamp.exists()
    if made and not regenerate and stamp.read_text() == today:
        return parquet, truth
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
            "--truth",
            str(truth),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,  # its progress bar; a failure shows the output
    )
    stamp.write_text(today)
    return parquet, truth


def measure(parquet: Path, truth: Path, holdout_months: int) -> tuple[dict, list[Flagged]]:
    """Analyse as of ``holdout_months`` before the end; compare with the truth and with the
    held-out months."""
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
    came_back = later.to_pyarrow()["customer_id"].to_numpy()
    customers = result.customers.filter(pc.is_valid(result.customers["n_purchases"]))
    ids = customers["customer_id"].to_numpy()
    churned = ~np.isin(ids, came_back)
    stopped = stopped_by(pq.read_table(truth), ids, as_of, TIME_ZONE)
    revenue = customers["revenue_12m"].fill_null(0.0).to_numpy()
    listed = _flags(customers["churn_priority"])
    probability = customers["churn_probability"].cast(pa.float64()).fill_null(np.nan).to_numpy()
    lists = {
        "call list (default)": listed,
        "same size, old order": _old_order(customers, int(listed.sum())),
        "top p(churn), same N": top(probability, ids, int(listed.sum())),
        "all churn warnings": _flags(customers["churn_warning"]),
    }
    flagged = [
        Flagged(name, list_quality(flags, stopped, revenue), list_quality(flags, churned, revenue))
        for name, flags in lists.items()
    ]
    facts = {
        "as_of": as_of,
        "end": end,
        "customers": len(ids),
        "stopped": int(stopped.sum()),
        "stopped_valued": int((stopped & (revenue > 0)).sum()),
        "churned": int(churned.sum()),
        "churned_stopped": int((churned & stopped).sum()),
        "seconds": seconds,
        "model": result.overview["clv_model"]["model"],
    }
    return facts, flagged


def _flags(column: pa.ChunkedArray) -> np.ndarray:
    return pc.fill_null(column, False).to_numpy(zero_copy_only=False)


def _old_order(customers: pa.Table, size: int) -> np.ndarray:
    """The first ``size`` warnings in the churn list's order before value at risk: most
    rules fired first, then the largest CLV."""
    warned = np.flatnonzero(_flags(customers["churn_warning"]))
    severity = customers["churn_severity"].to_numpy(zero_copy_only=False)[warned]
    clv = customers["clv"].fill_null(-np.inf).to_numpy()[warned]
    first = warned[np.lexsort((-clv, -severity))[:size]]
    flags = np.zeros(customers.num_rows, dtype=bool)
    flags[first] = True
    return flags


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
        parquet, truth = generate(size, args.work_dir, args.regenerate)
        facts, lists = measure(parquet, truth, args.holdout_months)
        n = facts["customers"]
        print(
            f"\n{size:,} demo customers: analysed as of {facts['as_of']} ({facts['model']},"
            f" {facts['seconds']:.1f} s), held out to {facts['end']}"
        )
        print(
            f"  {n:,} customers analysed; {facts['stopped']:,} had stopped buying for good"
            f" (base rate {facts['stopped'] / n:.1%}), {facts['stopped_valued']:,} of them"
            f" with revenue in the 12 months before"
        )
        print(
            f"  {facts['churned']:,} bought nothing after (base rate {facts['churned'] / n:.1%});"
            f" {facts['churned_stopped'] / max(facts['churned'], 1):.1%} of those had stopped"
            " (every stopped customer is among them)"
        )
        print(HEADER)
        for flagged in lists:
            print(flagged.line())
        print("  * recall of the stopped customers with revenue in the 12 months before as_of")
    return 0


if __name__ == "__main__":
    sys.exit(main())
