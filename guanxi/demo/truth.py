"""The generator's own truth about who stopped buying, kept out of the product.

The purchase process (:mod:`guanxi.demo.behaviour`) decides after every purchase whether the
customer leaves for good, so the generator knows what no company can observe: who has
stopped buying and since when. Benchmarks measure the churn call list against it
(``benchmarks/churn_list_quality.py``). It is written to its own Parquet file, never to the
database: the product must find churners from what a real company sees.

Columns, one row per customer:

- ``customer_id``: the customer's id as stored;
- ``bought``: made at least one purchase in the generated history;
- ``stopped``: left for good right after their last purchase;
- ``stopped_at``: when, the time of that last purchase (UTC; null if not stopped). A
  customer has stopped buying for good by a day if their last purchase is on or before it.
"""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from guanxi.demo.chunk import Chunk

SCHEMA = pa.schema(
    [
        ("customer_id", pa.int64()),
        ("bought", pa.bool_()),
        ("stopped", pa.bool_()),
        ("stopped_at", pa.timestamp("s", tz="UTC")),
    ]
)


class TruthExport:
    """Appends each chunk's truth to one Parquet file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")

    def write(self, chunk: Chunk) -> None:
        """Append the truth about one chunk's customers."""
        columns = {c.name: c for c in chunk.customers.columns}
        last = columns["last_purchase_at"]
        bought = last.values > 0  # 0: no purchase (see chunk.Totals)
        table = pa.table(
            [
                pa.array(columns["id"].values, type=pa.int64()),
                pa.array(bought),
                pa.array(chunk.stopped),
                pa.array(last.values, type=SCHEMA.field("stopped_at").type, mask=~chunk.stopped),
            ],
            schema=SCHEMA,
        )
        self._writer.write_table(table)

    def close(self) -> None:
        """Finish the file (writes the Parquet footer)."""
        self._writer.close()
