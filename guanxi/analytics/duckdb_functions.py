"""DuckDB's own functions, declared for Ibis where Ibis's portable operation compiles to
something several times slower on DuckDB. Callers use them only on a DuckDB backend."""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt


@ibis.udf.scalar.builtin(name="hash")
def value_hash(value) -> dt.uint64:
    """DuckDB's 64-bit hash of any value (a struct hashes a whole row). Ibis's ``hash``
    turns it into a signed number through a bit string, which took longer than the scan."""


@ibis.udf.scalar.builtin(name="list_distinct")
def distinct_days(days: dt.Array[dt.date]) -> dt.Array[dt.date]:
    """The distinct entries of a list of days. Ibis's ``unique`` keeps a null entry with a
    check of every entry, several times slower; a list of days has none."""


@ibis.udf.scalar.builtin(name="list_distinct")
def distinct_hashes(hashes: dt.Array[dt.uint64]) -> dt.Array[dt.uint64]:
    """The distinct entries of a list of :func:`value_hash` values."""
