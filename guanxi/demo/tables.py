"""Generated rows held column-wise, ready for a bulk writer (SQLite, PostgreSQL or Parquet)."""

from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import pyarrow as pa
from django.db import models


class Kind(Enum):
    """How a column's numpy values map to the database value."""

    INT = "int"
    TEXT = "text"
    BOOL = "bool"
    MONEY = "money"  # integer cents
    TIMESTAMP = "timestamp"  # integer seconds since the epoch, UTC
    DATE = "date"  # integer days since the epoch


@dataclass(frozen=True)
class Column:
    """One column of generated values; ``null`` marks the rows that are NULL."""

    name: str
    kind: Kind
    values: np.ndarray
    null: np.ndarray | None = None

    def arrow(self) -> pa.Array:
        """The values as an Arrow array (money as float64 yuan)."""
        mask = self.null
        if self.kind is Kind.MONEY:
            return pa.array(self.values / 100, type=pa.float64(), mask=mask)
        if self.kind is Kind.TIMESTAMP:
            return pa.array(self.values, type=pa.timestamp("s", tz="UTC"), mask=mask)
        if self.kind is Kind.DATE:
            return pa.array(self.values.astype(np.int32), type=pa.date32(), mask=mask)
        if self.kind is Kind.TEXT:
            return pa.array(self.values, type=pa.string(), mask=mask)
        return pa.array(self.values, mask=mask)


@dataclass
class Table:
    """Rows for one model's table."""

    model: type[models.Model]
    columns: list[Column] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The database table name."""
        return self.model._meta.db_table

    def __len__(self) -> int:
        return len(self.columns[0].values) if self.columns else 0

    def add(self, name: str, kind: Kind, values, null: np.ndarray | None = None) -> None:
        """Append a column; scalars are repeated for every row."""
        if np.isscalar(values):
            values = np.full(len(self), values, dtype=object if kind is Kind.TEXT else None)
        self.columns.append(Column(name, kind, np.asarray(values), null))

    def arrow(self) -> pa.Table:
        """The rows as an Arrow table."""
        return pa.table({c.name: c.arrow() for c in self.columns})
