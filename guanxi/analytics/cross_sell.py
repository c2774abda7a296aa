"""Next-best product per customer from what similar customers hold.

Input is a holdings table with one row per (customer, product) held -- a pyarrow Table, a
pandas DataFrame or an Ibis table; duplicate rows and rows with a null key are ignored.
Everything runs on a sparse customer x product matrix with numpy/scipy, a block of customers
at a time, with no Python loop per customer: a million customers x 30 products takes seconds.

* :class:`CrossSellRecommender` -- item-based collaborative filtering: the cosine similarity
  of two products over the holding matrix (``|A and B| / sqrt(|A| |B|)``); a customer's score
  for a product is the sum of its similarities to the products the customer holds. Ties
  (e.g. no co-holding at all) are broken by popularity.
* :class:`PopularityRecommender` -- the baseline: the most widely held products.
* :func:`association_rules` -- one-to-one rules ``A -> B`` with support, confidence, lift.
* :func:`evaluate_holdout` -- hide one held product of every customer with at least two,
  and measure how often it comes back in the top k, for the model and for popularity.

Recommendations never include a product the customer already holds. Output columns:
``customer_id`` (named as the input's customer column), ``rank`` (1 = best), ``product``,
``score`` and ``reason`` (e.g. ``"62% of customers holding Deposit also hold Fund"``), and
the same reason as data for any language to word: ``reason_code`` (``co_held`` or
``popular``, see :data:`REASON_CODES`), ``reason_product`` (the held product a ``co_held``
reason names, else null) and ``reason_share`` (``co_held``: the share of that product's
holders who also hold the recommendation; ``popular``: the share of all customers holding it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "REASON_CODES",
    "CrossSellRecommender",
    "HoldoutResult",
    "PopularityRecommender",
    "association_rules",
    "evaluate_holdout",
    "recommend_products",
]

HoldingsLike: TypeAlias = pa.Table | pd.DataFrame | ir.Table

_BLOCK_ROWS = 200_000  # customers scored at once: bounds the dense score block's memory
# Popularity only breaks ties: far below any real difference of summed cosine similarities.
_TIE_BREAK = 1e-9

REASON_CODES: dict[str, str] = {
    "co_held": "{share:.0%} of customers holding {held} also hold {product}",
    "popular": "held by {share:.0%} of customers",
}
"""Each reason code and its English wording (the ``reason`` column); callers that show
reasons in another language word ``reason_code`` with ``reason_product`` and ``reason_share``."""


@dataclass(frozen=True)
class HoldoutResult:
    """Hit rate at ``k`` of the model and of the popularity baseline on hidden products.

    Attributes:
        k: recommendations per customer considered.
        n_customers: customers evaluated (those with a hidden product).
        hit_rate: share of them whose hidden product is in the model's top ``k``.
        popularity_hit_rate: the same for the popularity baseline.
    """

    k: int
    n_customers: int
    hit_rate: float
    popularity_hit_rate: float


@dataclass(frozen=True)
class _Holdings:
    """A holdings table as integer codes: ``matrix[c, p] = 1`` when customer c holds p."""

    customers: pa.Array  # customer id of each row code
    products: np.ndarray  # product name (str) of each column code
    matrix: sparse.csr_matrix


def _arrow(holdings: HoldingsLike, customer_col: str, product_col: str) -> pa.Table:
    """The two key columns as a pyarrow Table without null keys; product names as text."""
    if isinstance(holdings, ir.Table):
        table = holdings.select(customer_col, product_col).to_pyarrow()
    elif isinstance(holdings, pd.DataFrame):
        table = pa.Table.from_pandas(holdings[[customer_col, product_col]], preserve_index=False)
    elif isinstance(holdings, pa.Table):
        table = holdings.select([customer_col, product_col])
    else:
        raise TypeError("holdings must be a pyarrow Table, pandas DataFrame or Ibis table")
    table = table.filter(pc.and_(pc.is_valid(table[customer_col]), pc.is_valid(table[product_col])))
    products = pc.cast(table[product_col], pa.string())
    return pa.table({"customer": table[customer_col], "product": products})


def _encode(
    holdings: HoldingsLike,
    customer_col: str,
    product_col: str,
    products: np.ndarray | None = None,
) -> _Holdings:
    """Encode ``holdings``; with ``products``, use those columns and drop unknown products."""
    missing = [c for c in (customer_col, product_col) if c not in _columns(holdings)]
    if missing:
        raise ValueError(f"holdings has no column(s) {', '.join(map(repr, missing))}")
    table = _arrow(holdings, customer_col, product_col)
    customer = table["customer"].combine_chunks().dictionary_encode()
    product = table["product"].combine_chunks().dictionary_encode()
    rows = customer.indices.to_numpy(zero_copy_only=False)
    cols = product.indices.to_numpy(zero_copy_only=False)
    if products is None:
        products = np.asarray(product.dictionary.to_pylist(), dtype=object)
    else:  # map this table's product codes onto the fitted model's columns
        position = pc.index_in(product.dictionary, value_set=pa.array(products, pa.string()))
        lookup = position.to_numpy(zero_copy_only=False)
        lookup = np.where(np.isnan(lookup.astype(float)), -1, lookup).astype(np.int64)
        known = lookup[cols] >= 0
        rows, cols = rows[known], lookup[cols[known]]
    shape = (len(customer.dictionary), len(products))
    matrix = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape)
    matrix.data[:] = 1.0  # duplicate rows were summed: a holding is held or not
    return _Holdings(customer.dictionary, products, matrix)


def _columns(holdings: HoldingsLike) -> list[str]:
    if isinstance(holdings, pa.Table):
        return holdings.column_names
    return [str(c) for c in holdings.columns]


def _decode(codes: np.ndarray, labels: list[str], null: np.ndarray | None = None) -> pa.Array:
    """``labels[codes]`` as a text column, built in Arrow (no Python string per row); null
    where ``null`` is true."""
    indices = pa.array(codes.astype(np.int32), pa.int32(), mask=null)
    return pa.DictionaryArray.from_arrays(indices, pa.array(labels, pa.string())).cast(pa.string())


class _Recommender(BaseEstimator):
    """Shared fitting and top-k machinery; subclasses define ``_scores`` and ``_reasons``."""

    def __init__(self, *, customer_col: str = "customer_id", product_col: str = "product"):
        self.customer_col = customer_col
        self.product_col = product_col

    def fit(self, holdings: HoldingsLike) -> _Recommender:
        """Learn product statistics from ``holdings``; returns self."""
        encoded = _encode(holdings, self.customer_col, self.product_col)
        if encoded.matrix.nnz == 0:
            raise ValueError("holdings has no rows")
        self._fit_matrix(encoded.matrix, encoded.products)
        return self

    def _fit_matrix(self, matrix: sparse.csr_matrix, products: np.ndarray) -> None:
        counts = np.asarray(matrix.sum(axis=0)).ravel()
        self.products_ = products
        self.n_customers_ = matrix.shape[0]
        self.holders_ = counts.astype(np.int64)
        self.popularity_ = counts / max(matrix.shape[0], 1)
        self.cooccurrence_ = (matrix.T @ matrix).toarray()

    def recommend(self, holdings: HoldingsLike, k: int = 3) -> pa.Table:
        """Top ``k`` products for every customer of ``holdings``, never one already held.

        Products unknown to the fitted model are ignored (neither scored nor recommended).
        Customers who already hold every product get no rows.
        """
        check_is_fitted(self, "products_")
        if k < 1:
            raise ValueError("k must be >= 1")
        encoded = _encode(holdings, self.customer_col, self.product_col, self.products_)
        rows, ranks, items, scores, reasons = self._top_k(encoded.matrix, k)
        held, product = self._reason_products(reasons)
        by_holding = held >= 0
        co, popularity = self.cooccurrence_, self.popularity_
        safe = np.where(by_holding, held, 0)
        with np.errstate(divide="ignore", invalid="ignore"):  # the unused branch of where
            share = np.where(by_holding, co[safe, product] / co[safe, safe], popularity[product])
        names = self.products_.tolist()
        return pa.table(
            {
                self.customer_col: encoded.customers.take(pa.array(rows)),
                "rank": pa.array(ranks, pa.int32()),
                "product": _decode(items, names),
                "score": pa.array(scores, pa.float64()),
                "reason": _decode(reasons, self._reason_dictionary()),
                "reason_code": _decode(np.where(by_holding, 0, 1), list(REASON_CODES)),
                "reason_product": _decode(safe, names, null=~by_holding),
                "reason_share": pa.array(share, pa.float64()),
            }
        )

    def _top_k(
        self, matrix: sparse.csr_matrix, k: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Flat (row, rank, product, score, reason code) arrays, best first per row."""
        parts = [self._top_k_block(matrix, start, k) for start in _blocks(matrix.shape[0])]
        rows, ranks, items, scores, reasons = (
            np.concatenate(arrays) for arrays in zip(*parts, strict=True)
        )
        return rows, ranks, items, scores, reasons

    def _top_k_block(self, matrix: sparse.csr_matrix, start: int, k: int) -> tuple[np.ndarray, ...]:
        block = matrix[start : start + _BLOCK_ROWS]
        held = block.toarray().astype(bool)
        scores = self._scores(block)
        key = np.where(held, -np.inf, scores + _TIE_BREAK * self.popularity_)
        k = min(k, key.shape[1])
        top = np.argpartition(-key, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(key, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        valid = np.isfinite(np.take_along_axis(key, top, axis=1))
        reasons = self._reasons(held, top)
        rows = np.broadcast_to(np.arange(start, start + len(held))[:, None], top.shape)
        ranks = np.broadcast_to(np.arange(1, k + 1), top.shape)
        chosen_scores = np.take_along_axis(scores, top, axis=1)
        return rows[valid], ranks[valid], top[valid], chosen_scores[valid], reasons[valid]

    def _popularity_reason(self, product: int) -> str:
        return REASON_CODES["popular"].format(share=self.popularity_[product])

    def _reason_dictionary(self) -> list[str]:
        raise NotImplementedError

    def _reason_products(self, reasons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The held product (-1 for popularity) and the recommended one of reason codes."""
        raise NotImplementedError

    def _scores(self, block: sparse.csr_matrix) -> np.ndarray:
        raise NotImplementedError

    def _reasons(self, held: np.ndarray, top: np.ndarray) -> np.ndarray:
        raise NotImplementedError


def _blocks(n_rows: int) -> range:
    return range(0, max(n_rows, 1), _BLOCK_ROWS)


class PopularityRecommender(_Recommender):
    """Baseline: recommend the products held by the most customers (that are not held yet).

    Parameters:
        customer_col, product_col: column names of the holdings table.

    Fitted attributes:
        products_: product names (column order of every matrix).
        n_customers_: customers in the training holdings.
        holders_: customers holding each product; ``popularity_``: their share.
        cooccurrence_: customers holding both products, products x products.

    ``score`` is the product's share of holders; ``reason`` says so.
    """

    def _reason_dictionary(self) -> list[str]:
        return [self._popularity_reason(p) for p in range(len(self.products_))]

    def _scores(self, block: sparse.csr_matrix) -> np.ndarray:
        return np.broadcast_to(self.popularity_, block.shape).astype(np.float64)

    def _reasons(self, held: np.ndarray, top: np.ndarray) -> np.ndarray:
        return top

    def _reason_products(self, reasons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.full_like(reasons, -1), reasons


class CrossSellRecommender(_Recommender):
    """Item-based collaborative filtering over the customer x product holding matrix.

    Parameters:
        customer_col, product_col: column names of the holdings table.

    Fitted attributes: those of :class:`PopularityRecommender`, plus ``similarity_``: the
    cosine similarity of every pair of products (diagonal 0).

    ``score`` is the sum of the recommended product's similarities to the products held.
    ``reason`` names the held product most similar to the recommendation and the share of
    its holders who also hold the recommendation; when nothing held was ever co-held with
    it, the product was chosen for its popularity and the reason says so.
    """

    def _fit_matrix(self, matrix: sparse.csr_matrix, products: np.ndarray) -> None:
        super()._fit_matrix(matrix, products)
        norms = np.sqrt(np.diag(self.cooccurrence_))
        with np.errstate(divide="ignore", invalid="ignore"):
            similarity = self.cooccurrence_ / np.outer(norms, norms)
        similarity[~np.isfinite(similarity)] = 0.0
        np.fill_diagonal(similarity, 0.0)
        self.similarity_ = similarity

    def _reason_dictionary(self) -> list[str]:
        """Codes ``x * P + y``: "holders of x also hold y"; ``P * P + y``: popularity of y."""
        names, co = self.products_, self.cooccurrence_
        n = len(names)
        texts = []
        for x in range(n):
            for y in range(n):
                share = co[x, y] / co[x, x] if co[x, x] else 0.0
                wording = REASON_CODES["co_held"]
                texts.append(wording.format(share=share, held=names[x], product=names[y]))
        return texts + [self._popularity_reason(y) for y in range(n)]

    def _reason_products(self, reasons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.products_)
        by_holding = reasons < n * n
        held = np.where(by_holding, reasons // n, -1)
        return held, np.where(by_holding, reasons % n, reasons - n * n)

    def _scores(self, block: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(block @ self.similarity_)

    def _reasons(self, held: np.ndarray, top: np.ndarray) -> np.ndarray:
        n = len(self.products_)
        reasons = np.empty_like(top)
        for r in range(top.shape[1]):
            # similarity of each held product to this rank's recommendation; -1 = not held
            sims = np.where(held, self.similarity_[:, top[:, r]].T, -1.0)
            best = sims.argmax(axis=1)
            by_similarity = np.take_along_axis(sims, best[:, None], axis=1)[:, 0] > 0
            reasons[:, r] = np.where(by_similarity, best * n + top[:, r], n * n + top[:, r])
        return reasons


def recommend_products(
    holdings: HoldingsLike,
    k: int = 3,
    *,
    customer_col: str = "customer_id",
    product_col: str = "product",
) -> pa.Table:
    """Fit a :class:`CrossSellRecommender` on ``holdings`` and recommend ``k`` products each."""
    model = CrossSellRecommender(customer_col=customer_col, product_col=product_col)
    return model.fit(holdings).recommend(holdings, k)


def association_rules(
    holdings: HoldingsLike,
    *,
    min_support: float = 0.01,
    min_confidence: float = 0.1,
    customer_col: str = "customer_id",
    product_col: str = "product",
) -> pa.Table:
    """One-to-one association rules ``antecedent -> consequent`` between held products.

    ``support`` = share of customers holding both, ``confidence`` = share of the
    antecedent's holders who hold the consequent, ``lift`` = confidence over the
    consequent's overall share. Rules below either threshold are dropped; sorted by lift.
    """
    model = PopularityRecommender(customer_col=customer_col, product_col=product_col)
    model.fit(holdings)
    co, n = model.cooccurrence_, model.n_customers_
    a, b = np.nonzero(co)
    keep = a != b
    a, b = a[keep], b[keep]
    support = co[a, b] / n
    confidence = co[a, b] / co[a, a]
    lift = confidence / model.popularity_[b]
    ok = (support >= min_support) & (confidence >= min_confidence)
    order = np.lexsort((-confidence[ok], -lift[ok]))
    a, b = a[ok][order], b[ok][order]
    return pa.table(
        {
            "antecedent": pa.array(model.products_[a].tolist(), pa.string()),
            "consequent": pa.array(model.products_[b].tolist(), pa.string()),
            "support": support[ok][order],
            "confidence": confidence[ok][order],
            "lift": lift[ok][order],
        }
    )


def evaluate_holdout(
    holdings: HoldingsLike,
    *,
    k: int = 3,
    random_state: int = 0,
    hidden: HoldingsLike | None = None,
    customer_col: str = "customer_id",
    product_col: str = "product",
) -> HoldoutResult:
    """Hit rate at ``k`` of item-based CF and of popularity on hidden holdings.

    For every customer holding at least two products, one of them (chosen at random with
    ``random_state``) is hidden; both recommenders are fitted on the remaining holdings and
    a hit is the hidden product in the customer's top ``k``. ``hidden`` (customer, product
    rows, at most one per customer) replaces the random choice, e.g. for a hand-checked
    example.
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    encoded = _encode(holdings, customer_col, product_col)
    coo = encoded.matrix.tocoo()
    if hidden is None:
        rows, cols = _random_hidden(coo.row, coo.col, encoded.matrix.shape[0], random_state)
    else:
        rows, cols = _given_hidden(encoded, hidden, customer_col, product_col)
    if len(rows) == 0:
        raise ValueError("no customer holds two or more products: nothing to hide")
    hide = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), encoded.matrix.shape)
    train = (encoded.matrix - hide).tocsr()
    train.eliminate_zeros()
    held_out = train[rows]
    rates = []
    for model in (CrossSellRecommender(), PopularityRecommender()):
        model._fit_matrix(train, encoded.products)
        hit_rows, _, items, _, _ = model._top_k(held_out, k)
        rates.append(float(np.sum(items == cols[hit_rows])) / len(rows))
    return HoldoutResult(
        k=k, n_customers=len(rows), hit_rate=rates[0], popularity_hit_rate=rates[1]
    )


def _random_hidden(
    rows: np.ndarray, cols: np.ndarray, n_customers: int, random_state: int
) -> tuple[np.ndarray, np.ndarray]:
    """One random (row, col) per customer holding at least two products."""
    eligible = np.bincount(rows, minlength=n_customers)[rows] >= 2
    rows, cols = rows[eligible], cols[eligible]
    draw = np.random.default_rng(random_state).random(len(rows))
    order = np.lexsort((draw, rows))
    first = np.ones(len(order), dtype=bool)
    first[1:] = rows[order][1:] != rows[order][:-1]
    return rows[order][first], cols[order][first]


def _given_hidden(
    encoded: _Holdings, hidden: HoldingsLike, customer_col: str, product_col: str
) -> tuple[np.ndarray, np.ndarray]:
    """Row and column codes of the ``hidden`` holdings, which must be held in ``encoded``."""
    table = _arrow(hidden, customer_col, product_col)
    rows = pc.index_in(table["customer"], value_set=encoded.customers).to_numpy(
        zero_copy_only=False
    )
    cols = pc.index_in(table["product"], value_set=pa.array(encoded.products.tolist())).to_numpy(
        zero_copy_only=False
    )
    rows, cols = np.asarray(rows, dtype=float), np.asarray(cols, dtype=float)
    ok = ~(np.isnan(rows) | np.isnan(cols))
    rows, cols = rows[ok].astype(np.int64), cols[ok].astype(np.int64)
    if not ok.all() or not np.all(encoded.matrix[rows, cols]):
        raise ValueError("every hidden (customer, product) must be a row of holdings")
    if len(np.unique(rows)) != len(rows):
        raise ValueError("hide at most one product per customer")
    return rows, cols
