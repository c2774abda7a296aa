"""Helpers of the analytics tests: the CDNOW reader and small-table builders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa


def read_cdnow(path: Path) -> pd.DataFrame:
    """The CDNOW 1/10 sample as a DataFrame: customer_id, sample_id, date (date), cds, amount."""
    df = pd.read_csv(
        path,
        sep=r"\s+",
        header=None,
        names=["customer_id", "sample_id", "date", "cds", "amount"],
        dtype={"date": str},
    )
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d").dt.date
    return df


def tx(rows: list[tuple], columns: tuple[str, ...] = ("customer_id", "date", "amount")) -> ir.Table:
    """A small transaction table from tuples (dates may be ISO strings)."""
    data = {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    if "date" in data:
        data["date"] = [dt.date.fromisoformat(d) if isinstance(d, str) else d for d in data["date"]]
    schema = {
        "customer_id": "int64",
        "date": "date",
        "amount": "float64",
        "product": "string",
        "channel": "string",
    }
    ibis_schema = ibis.schema({c: schema.get(c, "string") for c in columns})
    return ibis.memtable(pa.table(data, schema=ibis_schema.to_pyarrow()))


def by_customer(table: ir.Table, key: str = "customer_id") -> dict:
    """Execute ``table`` and index its rows (dicts) by ``key``."""
    return {r[key]: r for r in table.to_pyarrow().to_pylist()}
