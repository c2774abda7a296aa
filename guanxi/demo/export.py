"""The demo data as Parquet files, for the analytics engine and its benchmarks."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from guanxi.demo.chunk import Chunk

CUSTOMER_COLUMNS = (
    "id",
    "kind",
    "name",
    "gender",
    "birthday",
    "branch_id",
    "owner_id",
    "source_channel",
    "status",
    "value_tier",
    "created_at",
    "lifetime_revenue",
    "last_purchase_at",
)


class ParquetExport:
    """Appends each chunk to ``transactions.parquet`` and ``customers.parquet`` in a directory.

    transactions: customer_id, occurred_at (UTC), amount (yuan, float64), product_code, channel.
    customers: one row per customer (``id`` renamed ``customer_id``) with profile and totals.
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._writers: dict[str, pq.ParquetWriter] = {}

    def write(self, chunk: Chunk) -> None:
        """Append one chunk to both files."""
        columns = {c.name: c for c in chunk.customers.columns}
        customers = pa.table({n: columns[n].arrow() for n in CUSTOMER_COLUMNS})
        self._append("customers", customers.rename_columns(["customer_id", *CUSTOMER_COLUMNS[1:]]))
        transactions = {c.name: c for c in chunk.transactions.columns}
        self._append(
            "transactions",
            pa.table(
                {
                    "customer_id": transactions["customer_id"].arrow(),
                    "occurred_at": transactions["occurred_at"].arrow(),
                    "amount": transactions["amount"].arrow(),
                    "product_code": pa.array(chunk.product_codes, type=pa.string()),
                    "channel": pa.array(chunk.channels, type=pa.string()),
                }
            ),
        )

    def close(self) -> None:
        """Finish both files (writes the Parquet footers)."""
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def _append(self, name: str, table: pa.Table) -> None:
        writer = self._writers.get(name)
        if writer is None:
            path = self.directory / f"{name}.parquet"
            writer = self._writers[name] = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table)
