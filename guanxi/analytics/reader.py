"""Read a transaction file (CSV or Parquet with a header row) into DuckDB for the analysis CLIs.

Shared by ``guanxi analyze`` and ``guanxi clv fit``. Every problem with the file is raised as
:class:`InputError` with a one-line message naming the column and an example bad value, so
the commands can exit with status 2 instead of a traceback.

CSV files are read with every column as text (no type guessing): the customer column stays a
string, the date column is parsed with the given ``strptime`` format or as ISO 8601, and the
amount is parsed as a number. The three columns are then loaded into a temporary DuckDB table
once, because the analysis scans the transactions several times and re-parsing the CSV each
time would dominate the run. Parquet files keep their own types and are scanned in place.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
from ibis.backends.duckdb import Backend as DuckDBBackend

from guanxi.analytics.input_file import NO_AMOUNT_COL, PARQUET_SUFFIXES, InputError, first_line

__all__ = ["NO_AMOUNT_COL", "PARQUET_SUFFIXES", "InputError", "read_transactions"]


@ibis.udf.scalar.builtin(name="try_strptime")
def _try_strptime(value: str, date_format: str) -> dt.timestamp:
    """DuckDB's ``try_strptime``: the parsed timestamp, or null when ``value`` does not match."""


def read_transactions(
    path: Path,
    con: DuckDBBackend,
    *,
    customer_col: str,
    date_col: str,
    amount_col: str | None,
    date_format: str | None = None,
    sep: str | None = None,
) -> ir.Table:
    """The file's customer, date and amount columns as an Ibis table on ``con``.

    Args:
        path: a ``.csv`` (any other suffix is read as CSV) or ``.parquet``/``.pq`` file.
        con: the DuckDB connection the analysis runs on.
        customer_col, date_col, amount_col: the columns to read (``amount_col`` may be None
            when only purchase counts are needed: the table then has a column
            :data:`NO_AMOUNT_COL` that is 0 on every row).
        date_format: ``strptime`` format of text dates (e.g. ``%Y%m%d``); default ISO 8601.
        sep: CSV separator; None lets DuckDB detect it.

    Returns:
        A table with columns ``customer_col`` (text for CSV), ``date_col`` (a timestamp,
        or the Parquet column's own date/timestamp type) and ``amount_col`` (float).

    Raises:
        InputError: missing file, unreadable file, no rows, a missing column, or a date or
            amount that cannot be parsed (the message shows the first bad value).
    """
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    raw = _open(path, con, sep)
    wanted = [customer_col, date_col] + ([amount_col] if amount_col else [])
    missing = [c for c in wanted if c not in raw.columns]
    if missing:
        raise InputError(
            f"column(s) {', '.join(map(repr, missing))} not in {path.name} "
            f"(columns: {', '.join(raw.columns)})"
        )
    date = _parse_date(raw, date_col, date_format)
    amount = _parse_amount(raw, amount_col)
    _check_values(raw, path, date_col, date, date_format, amount_col, amount)
    return raw.select(
        **{customer_col: raw[customer_col], date_col: date, (amount_col or NO_AMOUNT_COL): amount}
    )


def _open(path: Path, con: DuckDBBackend, sep: str | None) -> ir.Table:
    try:
        if path.suffix.lower() in PARQUET_SUFFIXES:
            return con.read_parquet(path)
        options = {"delim": sep} if sep else {}
        return con.read_csv(path, header=True, all_varchar=True, **options)
    except Exception as exc:  # DuckDB raises several error types for unreadable files
        raise InputError(f"cannot read {path}: {first_line(exc)}") from None


def _parse_date(raw: ir.Table, column: str, date_format: str | None) -> ir.Value:
    col = raw[column]
    if col.type().is_temporal():
        return col
    if col.type().is_integer() and date_format:  # e.g. 19970101 stored as a number
        col = col.cast("string")
    if not col.type().is_string():
        raise InputError(f"column {column!r} must hold dates, not {col.type()}")
    if date_format:
        return _try_strptime(col, date_format)
    return col.try_cast("timestamp")


def _parse_amount(raw: ir.Table, column: str | None) -> ir.Value:
    if column is None:
        return ibis.literal(0.0, type="float64")
    col = raw[column]
    if col.type().is_numeric():
        return col.cast("float64")
    return col.try_cast("float64")


def _check_values(
    raw: ir.Table,
    path: Path,
    date_col: str,
    date: ir.Value,
    date_format: str | None,
    amount_col: str | None,
    amount: ir.Value,
) -> None:
    """One scan: the row count and the first text value that failed to parse per column.

    Columns the file already types (Parquet dates and numbers) need no check, and a bare
    row count of a Parquet file comes from its metadata, so typed files are not scanned.
    """
    aggs: dict[str, ir.Value] = {"rows": raw.count()}
    if not raw[date_col].type().is_temporal():
        bad_date = raw[date_col].notnull() & date.isnull()
        aggs["bad_date"] = raw[date_col].cast("string").arbitrary(where=bad_date)
    if amount_col is not None and raw[amount_col].type().is_string():
        bad_amount = raw[amount_col].notnull() & amount.isnull()
        aggs["bad_amount"] = raw[amount_col].arbitrary(where=bad_amount)
    try:
        found = raw.aggregate(**aggs).to_pyarrow().to_pylist()[0]
    except Exception as exc:  # a malformed CSV line only surfaces when the file is scanned
        raise InputError(f"cannot read {path}: {first_line(exc)}") from None
    if found["rows"] == 0:
        raise InputError(f"{path} has no rows")
    if found.get("bad_date") is not None:
        expected = date_format or "ISO 8601 (YYYY-MM-DD)"
        raise InputError(
            f"column {date_col!r} has a value {found['bad_date']!r} that is not a date in "
            f"format {expected}"
        )
    if found.get("bad_amount") is not None:
        raise InputError(
            f"column {amount_col!r} has missing or non-numeric amounts, e.g. "
            f"{found['bad_amount']!r}"
        )
