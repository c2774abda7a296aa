"""Generate demo data chunk by chunk and bulk-load it, with a progress bar."""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from tqdm import tqdm

from guanxi.customers.models import (
    Contact,
    Customer,
    GroupMembership,
    Holding,
    LifecycleChange,
    Transaction,
)
from guanxi.demo.behaviour import MONTH
from guanxi.demo.chunk import Chunk, generate_chunk
from guanxi.demo.export import ParquetExport
from guanxi.demo.industries import INDUSTRIES
from guanxi.demo.names import NamePool
from guanxi.demo.organisation import World, build_world
from guanxi.demo.store import bulk_load, reset_sequences, write
from guanxi.demo.truth import TruthExport

LOADED_MODELS = [
    Customer,
    Holding,
    Contact,
    LifecycleChange,
    Transaction,
    Customer.tags.through,
    GroupMembership,
]


@dataclass(frozen=True)
class DemoOptions:
    """What to generate: how many customers, how much history, for which industry."""

    customers: int
    months: int = 24
    industry: str = "bank"
    seed: int = 42
    batch_size: int = 50_000
    parquet_dir: Path | None = None
    truth_path: Path | None = None  # the generator's truth (guanxi.demo.truth), not loaded
    progress: bool = True


@dataclass
class LoadSummary:
    """Row counts per table and the wall time of the load."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, name: str, count: int) -> None:
        """Count rows written to a table."""
        self.rows[name] = self.rows.get(name, 0) + count


def load_demo_data(options: DemoOptions, say: Callable[[str], None] = print) -> LoadSummary:
    """Generate the demo company and its customers into the (empty) default database."""
    began = perf_counter()
    # History ends at today's local midnight, so a seed gives the same data all day long.
    end = int(timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0).timestamp())
    names = NamePool()
    world = build_world(
        industry=INDUSTRIES[options.industry],
        customers=options.customers,
        start=end - round(options.months * MONTH),
        end=end,
        names=names,
        seed=options.seed,
    )
    first_id = (Customer.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    export = ParquetExport(options.parquet_dir) if options.parquet_dir else None
    truth = TruthExport(options.truth_path) if options.truth_path else None
    summary = LoadSummary()
    bar = tqdm(
        total=options.customers,
        unit=" customers",
        unit_scale=True,
        disable=not options.progress,
        desc="Generating",
    )
    try:
        with bulk_load([m._meta.db_table for m in LOADED_MODELS]):
            for chunk in _chunks(options, world, names, first_id):
                _store(chunk, summary, export)
                if truth:
                    truth.write(chunk)
                bar.update(len(chunk.customers))
                bar.set_postfix(transactions=summary.rows[Transaction._meta.db_table])
            bar.close()  # before the message, so it does not land inside the bar's line
            say("Building indexes ...")
    finally:
        bar.close()  # closing twice is harmless; this one covers failures
        if export:
            export.close()
        if truth:
            truth.close()
    reset_sequences(LOADED_MODELS)
    summary.seconds = perf_counter() - began
    return summary


def _chunks(options: DemoOptions, world: World, names: NamePool, first_id: int) -> Iterator[Chunk]:
    """Generated chunks in id order; the next one is generated while the caller writes.

    Writing is mostly time in SQLite's C code or the PostgreSQL server, which both run
    without Python's lock, so a second thread keeps the machine's other core busy.
    Each chunk has its own seeded generator, so the data do not depend on the timing.
    """
    offsets = range(0, options.customers, options.batch_size)

    def generate(index: int) -> Chunk:
        size = min(options.batch_size, options.customers - offsets[index])
        rng = np.random.default_rng([options.seed, index])
        return generate_chunk(rng, world, names, first_id + offsets[index], size)

    with ThreadPoolExecutor(max_workers=1) as generator:
        pending = generator.submit(generate, 0)
        for index in range(len(offsets)):
            chunk = pending.result()
            if index + 1 < len(offsets):
                pending = generator.submit(generate, index + 1)
            yield chunk


def _store(chunk: Chunk, summary: LoadSummary, export: ParquetExport | None) -> None:
    """Write one chunk in one database transaction, then append it to the Parquet files."""
    with transaction.atomic():
        for table in chunk.tables():
            write(table)
            summary.add(table.name, len(table))
    if export:
        export.write(chunk)
