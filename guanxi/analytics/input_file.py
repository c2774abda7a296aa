"""What the commands that read a transaction file share, without importing an engine.

Kept apart from :mod:`guanxi.analytics.reader` (which imports Ibis) so that ``guanxi clv fit``
can report a bad file in the same words without paying for Ibis at start-up.
"""

from __future__ import annotations

__all__ = ["NO_AMOUNT_COL", "PARQUET_SUFFIXES", "InputError", "first_line"]

PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
NO_AMOUNT_COL = "amount"
"""Name of the constant 0 amount column returned when no amount column is named."""


class InputError(ValueError):
    """A problem with the user's file or arguments, reported in one line."""


def first_line(exc: BaseException) -> str:
    """The first line of an engine's error message (DuckDB's run to several lines)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
