"""Display names of codes (RFM segments, pyramid levels), looked up by code from a small
table joined to the rows: choosing them per row by a chain of conditions cost more than the
join at a million customers."""

from __future__ import annotations

from collections.abc import Mapping

import ibis
import ibis.expr.types as ir


def with_names(table: ir.Table, column: str, names: Mapping[str, tuple[str, str]]) -> ir.Table:
    """``table`` with ``<column>_en`` and ``<column>_zh``, the English and Chinese names of
    its ``column`` codes in ``names`` (code -> (English, Chinese); null for another code)."""
    en, zh = f"{column}_en", f"{column}_zh"
    lookup = ibis.memtable(
        {
            column: list(names),
            en: [pair[0] for pair in names.values()],
            zh: [pair[1] for pair in names.values()],
        },
        schema={column: "string", en: "string", zh: "string"},
    )
    return table.left_join(lookup, column).drop(f"{column}_right")
