"""The columns of a churn file: type detection (:func:`infer_schema`), the two-class target,
column look-up by name, and the model matrix the trees are fitted on."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

ColumnKind = Literal["numeric", "categorical"]

_POSITIVE = frozenset({"yes", "y", "true", "t", "1", "1.0", "churn", "churned"})
_NEGATIVE = frozenset({"no", "n", "false", "f", "0", "0.0"})
_OTHER = "(other)"  # bucket of the rare categories beyond max_categories
# Text columns whose values parse as numbers this often are numbers stored as text; the few
# that do not parse (typos, "n/a") become missing values.
_NUMERIC_TEXT_SHARE = 0.99
_ID_MIN_ROWS = 50  # below this a column of distinct integers is as likely a feature as an id


@dataclass(frozen=True)
class ColumnSpec:
    """How one input column enters the model.

    Attributes:
        name: the column name in the training frame.
        kind: ``"numeric"`` (float, missing allowed) or ``"categorical"``.
        categories: for categorical columns, the category labels in code order; the last is
            ``"(other)"`` when rare categories were merged.
    """

    name: str
    kind: ColumnKind
    categories: tuple[str, ...] = ()


def resolve_column(columns: Iterable[Hashable], name: str, *, what: str = "input") -> str:
    """The column of ``columns`` called ``name``: exact match, else a unique case-insensitive one.

    Raises ``ValueError`` naming the column (and the available ones) when it is absent.
    """
    names = [str(c) for c in columns]
    if name in names:
        return name
    folded = [c for c in names if c.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded[0]
    raise ValueError(f"{what} has no column {name!r}; columns: {', '.join(names)}")


def encode_target(y: Any, positive_label: Any = None) -> tuple[np.ndarray, tuple[Any, Any]]:
    """Turn a two-class target into 0/1 and return ``(y01, (negative_label, positive_label))``.

    Accepts Yes/No, True/False, Y/N, 1/0 (as text, booleans or numbers, any case). Numbers
    other than 0/1: the larger value is the positive class. Other pairs of labels need
    ``positive_label``. Raises ``ValueError`` when values are missing or there are not
    exactly two classes.
    """
    values = pd.Series(np.asarray(y, dtype=object) if not isinstance(y, pd.Series) else y)
    if values.empty:
        raise ValueError("target is empty")
    text = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    missing = text.isna() | (text == "")
    if missing.any():
        raise ValueError(f"target has {int(missing.sum())} missing value(s)")
    labels = list(pd.unique(text))
    if len(labels) != 2:
        shown = ", ".join(repr(v) for v in labels[:5])
        raise ValueError(
            f"target must have exactly 2 classes, found {len(labels)}: {shown}"
            + (" ..." if len(labels) > 5 else "")
        )
    positive = _positive_label(labels, positive_label)
    negative = labels[1] if labels[0] == positive else labels[0]
    return (text == positive).to_numpy(dtype=np.int8), (negative, positive)


def _positive_label(labels: list[Any], positive_label: Any) -> Any:
    if positive_label is not None:
        matches = [v for v in labels if str(v).casefold() == str(positive_label).casefold()]
        if not matches:
            raise ValueError(f"positive_label {positive_label!r} is not one of {labels!r}")
        return matches[0]
    if all(isinstance(v, bool | np.bool_) for v in labels):
        return True
    if all(isinstance(v, int | float | np.number) for v in labels):
        return max(labels)
    folded = [str(v).casefold() for v in labels]
    positive = [v for v, f in zip(labels, folded, strict=True) if f in _POSITIVE]
    negative = [v for v, f in zip(labels, folded, strict=True) if f in _NEGATIVE]
    if len(positive) == 1 and len(negative) <= 1:
        return positive[0]
    raise ValueError(
        f"cannot tell which of {labels[0]!r} / {labels[1]!r} means churn; pass positive_label"
    )


def as_numeric(values: pd.Series) -> tuple[pd.Series, float]:
    """``values`` as floats (blank or unparsable text -> NaN) and the share that parsed."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float), 0.0  # booleans are categories, never "numbers as text"
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float), 1.0
    text = values.astype("string").str.strip()
    text = text.mask(text == "")
    numbers = pd.to_numeric(text, errors="coerce").astype(float)
    present = int(text.notna().sum())
    return numbers, (float(numbers.notna().sum()) / present if present else 0.0)


def _as_text(values: pd.Series) -> pd.Series:
    """Category labels as stripped text; integral floats lose their ``.0``; blanks -> NA."""
    if pd.api.types.is_float_dtype(values):
        values = values.map(lambda v: str(int(v)) if v.is_integer() else str(v), na_action="ignore")
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _classify(
    values: pd.Series, max_categories: int, id_unique_ratio: float
) -> tuple[ColumnKind | None, str]:
    """``(kind, "")`` for a usable column, ``(None, reason)`` for one left out."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return None, "date/time column (derive features such as tenure from it)"
    if values.nunique(dropna=True) <= 1:
        return None, "constant or empty"
    numbers, share = as_numeric(values)
    if share >= _NUMERIC_TEXT_SHARE:
        present = numbers.dropna()
        integral = bool((present == present.round()).all())
        if integral and len(present) >= _ID_MIN_ROWS and present.nunique() >= 0.99 * len(present):
            return None, "looks like an identifier (distinct integers)"
        return "numeric", ""
    text = _as_text(values)
    n_distinct = text.nunique(dropna=True)
    if n_distinct > max_categories and n_distinct > id_unique_ratio * text.notna().sum():
        return None, "looks like an identifier (mostly distinct text values)"
    return "categorical", ""


def infer_schema(
    frame: pd.DataFrame,
    *,
    exclude: Iterable[str] = (),
    max_categories: int = 50,
    id_unique_ratio: float = 0.5,
) -> tuple[tuple[ColumnSpec, ...], dict[str, str]]:
    """Detect the feature columns of ``frame`` and their types.

    Returns ``(specs, excluded)``: one :class:`ColumnSpec` per usable column, and the
    reason for every left-out column. A column is numeric when it has a numeric dtype or at
    least 99 % of its non-blank values parse as numbers; booleans and other text are
    categorical, keeping the ``max_categories - 1`` most frequent labels and merging the
    rest into ``"(other)"``. Text columns with more than ``max_categories`` labels that are
    also distinct on more than ``id_unique_ratio`` of the rows look like identifiers and are
    left out, as are integer columns distinct on 99 % of at least 50 rows, constant columns
    and date/time columns.
    """
    excluded = {c: "excluded by the caller" for c in exclude}
    specs: list[ColumnSpec] = []
    for name in frame.columns:
        column = str(name)
        if column in excluded:
            continue
        values = frame[name]
        kind, reason = _classify(values, max_categories, id_unique_ratio)
        if kind is None:
            excluded[column] = reason
        elif kind == "numeric":
            specs.append(ColumnSpec(column, "numeric"))
        else:
            specs.append(ColumnSpec(column, "categorical", _categories(values, max_categories)))
    if not specs:
        raise ValueError("no usable feature column: " + _describe_excluded(excluded))
    return tuple(specs), excluded


def _categories(values: pd.Series, max_categories: int) -> tuple[str, ...]:
    counts = _as_text(values).value_counts(dropna=True)
    # Most frequent first, ties by label, so that the codes are reproducible.
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    labels = [str(k) for k, _ in ordered]
    if len(labels) <= max_categories:
        return tuple(labels)
    return (*labels[: max_categories - 1], _OTHER)


def _describe_excluded(excluded: dict[str, str]) -> str:
    return "; ".join(f"{c}: {r}" for c, r in excluded.items()) or "the input has no columns"


def encode(frame: pd.DataFrame, specs: Sequence[ColumnSpec]) -> np.ndarray:
    """The model matrix: numbers as floats, categories as float codes, missing/unseen = NaN."""
    out = np.empty((len(frame), len(specs)), dtype=np.float64)
    for j, spec in enumerate(specs):
        values = frame[spec.name]
        if spec.kind == "numeric":
            out[:, j] = as_numeric(values)[0].to_numpy()
            continue
        text = _as_text(values)
        codes = pd.Index(spec.categories).get_indexer(text).astype(np.float64)
        unknown = codes < 0
        if spec.categories and spec.categories[-1] == _OTHER:
            codes[unknown & text.notna().to_numpy()] = len(spec.categories) - 1
            unknown = codes < 0
        codes[unknown] = np.nan
        out[:, j] = codes
    return out
