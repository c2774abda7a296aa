"""The CLV fit summary of a transaction file, computed by DuckDB alone (no Ibis, no pandas).

``guanxi clv fit`` is a one-shot command whose fit takes milliseconds; importing Ibis and
pandas and compiling the Ibis expressions took about a second of its start. This module reads
the file as :func:`guanxi.analytics.reader.read_transactions` does (the same DuckDB reader
options, parsing functions and one-line :class:`InputError` messages) and computes the four
columns the models need with the conventions of
:func:`guanxi.analytics.summary.customer_summary` (same-day purchases merged, negative amounts
never a purchase, rows with a null or after the calibration end dropped, continuous time);
``tests/test_file_summary.py`` holds the two to the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

from guanxi.analytics.input_file import NO_AMOUNT_COL, PARQUET_SUFFIXES, InputError, first_line

__all__ = ["FitSummary", "read_fit_summary"]

_UNIT_DAYS = {"day": 1.0, "week": 7.0}
_TEMPORAL = ("DATE", "TIME", "TIMESTAMP")
_INTEGER = (
    *("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT"),
    *("UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT"),
)
_NUMERIC = (*_INTEGER, "FLOAT", "DOUBLE", "DECIMAL")


@dataclass(frozen=True)
class FitSummary:
    """Per customer (sorted by customer id): repeat purchases, recency, age and mean repeat
    purchase value, in the chosen time unit, as :func:`calibration.fit_summary` returns them."""

    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary_value: np.ndarray


def read_fit_summary(
    path: Path,
    *,
    customer_col: str,
    date_col: str,
    amount_col: str | None,
    calibration_end: dt.date,
    time_unit: str = "week",
    date_format: str | None = None,
    sep: str | None = None,
) -> FitSummary:
    """The fit summary of the file's customers up to ``calibration_end`` (inclusive).

    Raises:
        InputError: the file is missing, unreadable or empty, a column is missing, or a date
            or amount cannot be parsed (the message shows the first bad value).
        ValueError: no row is usable (all null or after ``calibration_end``), or an unknown
            ``time_unit``.
    """
    if time_unit not in _UNIT_DAYS:
        raise ValueError(f"time_unit must be one of {sorted(_UNIT_DAYS)}, not {time_unit!r}")
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    con = duckdb.connect()
    types = _open(con, path, sep)
    wanted = [customer_col, date_col] + ([amount_col] if amount_col else [])
    missing = [c for c in wanted if c not in types]
    if missing:
        raise InputError(
            f"column(s) {', '.join(map(repr, missing))} not in {path.name} "
            f"(columns: {', '.join(types)})"
        )
    date = _date_sql(date_col, types[date_col], date_format)
    amount = _amount_sql(amount_col, types)
    con.execute(
        f"CREATE TEMP VIEW tx AS SELECT {_q(customer_col)} AS c, {date} AS d, {amount} AS a, "
        f"{_q(date_col)} AS raw_d{', ' + _q(amount_col) + ' AS raw_a' if amount_col else ''} "
        "FROM src"
    )
    _check_values(con, path, date_col, date_format, amount_col, types)
    return _summary(con, calibration_end, _UNIT_DAYS[time_unit])


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _open(con: duckdb.DuckDBPyConnection, path: Path, sep: str | None) -> dict[str, str]:
    if path.suffix.lower() in PARQUET_SUFFIXES:
        source = f"read_parquet([{_literal(str(path))}])"
    else:
        delim = f", delim={_literal(sep)}" if sep else ""
        source = (
            f"read_csv([{_literal(str(path))}], header=true, all_varchar=true, "
            f"auto_detect=true{delim})"
        )
    try:
        con.execute(f"CREATE TEMP VIEW src AS SELECT * FROM {source}")
        described = con.execute("DESCRIBE src").fetchall()
    except duckdb.Error as exc:
        raise InputError(f"cannot read {path}: {first_line(exc)}") from None
    return {row[0]: row[1] for row in described}


def _date_sql(column: str, type_name: str, date_format: str | None) -> str:
    col = _q(column)
    if type_name.startswith(_TEMPORAL):
        return col
    if type_name in _INTEGER and date_format:  # e.g. 19970101 stored as a number
        col, type_name = f"CAST({col} AS VARCHAR)", "VARCHAR"
    if type_name != "VARCHAR":
        raise InputError(f"column {column!r} must hold dates, not {type_name}")
    if date_format:
        return f"try_strptime({col}, {_literal(date_format)})"
    return f"TRY_CAST({col} AS TIMESTAMP)"


def _amount_sql(column: str | None, types: dict[str, str]) -> str:
    if column is None:
        return "CAST(0.0 AS DOUBLE)"
    if types[column].startswith(_NUMERIC):
        return f"CAST({_q(column)} AS DOUBLE)"
    return f"TRY_CAST({_q(column)} AS DOUBLE)"


def _check_values(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    date_col: str,
    date_format: str | None,
    amount_col: str | None,
    types: dict[str, str],
) -> None:
    checks = ["count(*)"]
    checks.append(
        "NULL"
        if types[date_col].startswith(_TEMPORAL)
        else "arbitrary(CAST(raw_d AS VARCHAR)) FILTER (WHERE raw_d IS NOT NULL AND d IS NULL)"
    )
    checks.append(
        "arbitrary(raw_a) FILTER (WHERE raw_a IS NOT NULL AND a IS NULL)"
        if amount_col is not None and types[amount_col] == "VARCHAR"
        else "NULL"
    )
    try:
        found = con.execute(f"SELECT {', '.join(checks)} FROM tx").fetchone()
    except duckdb.Error as exc:  # a malformed CSV line only surfaces when the file is scanned
        raise InputError(f"cannot read {path}: {first_line(exc)}") from None
    rows, bad_date, bad_amount = found or (0, None, None)
    if rows == 0:
        raise InputError(f"{path} has no rows")
    if bad_date is not None:
        expected = date_format or "ISO 8601 (YYYY-MM-DD)"
        raise InputError(
            f"column {date_col!r} has a value {bad_date!r} that is not a date in format {expected}"
        )
    if bad_amount is not None:
        raise InputError(
            f"column {amount_col or NO_AMOUNT_COL!r} has missing or non-numeric amounts, "
            f"e.g. {bad_amount!r}"
        )


# Values are written into the SQL as literals (dates as ISO text, the unit from _UNIT_DAYS):
# binding parameters makes DuckDB import pandas, the very cost this module avoids.
# Purchase days per customer (a day with only returns is none), then per customer the first
# day's value, which the mean repeat purchase value leaves out.
_SUMMARY_SQL = """
WITH clean AS (
    SELECT c, CAST(d AS DATE) AS day, a FROM tx
    WHERE c IS NOT NULL AND d IS NOT NULL AND a IS NOT NULL AND CAST(d AS DATE) <= $end
), daily AS (
    SELECT c, day, sum(a) FILTER (WHERE a >= 0) AS value, count(*) FILTER (WHERE a >= 0) AS n_buy
    FROM clean GROUP BY c, day
), per AS (
    SELECT c, min(day) AS first_day, max(day) AS last_day, count(*) AS n, sum(value) AS total,
        arg_min(value, day) AS first_value
    FROM daily WHERE n_buy > 0 GROUP BY c
)
SELECT CAST(n - 1 AS DOUBLE) AS frequency,
    CAST(date_diff('day', first_day, last_day) AS DOUBLE) / $unit AS recency,
    CAST(date_diff('day', first_day, $end) AS DOUBLE) / $unit AS T,
    CASE WHEN n > 1 THEN (total - first_value) / CAST(n - 1 AS DOUBLE) ELSE 0.0 END
        AS monetary_value
FROM per ORDER BY c
"""


def _summary(con: duckdb.DuckDBPyConnection, end: dt.date, unit_days: float) -> FitSummary:
    literals = {"$end": f"DATE '{end.isoformat()}'", "$unit": repr(unit_days)}
    sql = _SUMMARY_SQL
    for name, value in literals.items():
        sql = sql.replace(name, value)
    columns = con.execute(sql).fetchnumpy()
    used = "SELECT count(*) FROM tx WHERE c IS NOT NULL AND d IS NOT NULL AND a IS NOT NULL "
    used += f"AND CAST(d AS DATE) <= {literals['$end']}"
    if len(columns["frequency"]) == 0 and _scalar(con, used) == 0:
        raise ValueError(
            "transactions has no usable rows: every row has a null customer, time or amount"
            f", or is dated after as_of={end}"
        )
    return FitSummary(
        frequency=np.asarray(columns["frequency"], dtype=np.float64),
        recency=np.asarray(columns["recency"], dtype=np.float64),
        T=np.asarray(columns["T"], dtype=np.float64),
        monetary_value=np.asarray(columns["monetary_value"], dtype=np.float64),
    )


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    return None if row is None else row[0]
