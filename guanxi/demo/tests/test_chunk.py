"""Chunk generation on its own, without a database."""

from dataclasses import replace

import numpy as np

from guanxi.demo.behaviour import MONTH
from guanxi.demo.chunk import generate_chunk
from guanxi.demo.industries import BANK
from guanxi.demo.labels import TAGS, Labels, static_groups
from guanxi.demo.names import NamePool
from guanxi.demo.organisation import World

END = 1_790_000_000


def _world() -> World:
    products = len(BANK.products)
    return World(
        industry=BANK,
        start=int(END - 12 * MONTH),
        end=END,
        branch_ids=np.array([11, 12, 13]),
        branch_cities=np.arange(3),
        manager_ids=np.array([101, 102, 103, 104, 105, 106]),
        manager_starts=np.array([0, 2, 4]),
        manager_counts=np.array([2, 2, 2]),
        product_ids=np.arange(1, products + 1),
        labels=Labels(
            tags={name: i for i, name in enumerate(TAGS[BANK.key], 1)},
            groups={name: i for i, name in enumerate(static_groups(BANK, END), 1)},
        ),
    )


def _columns(chunk) -> dict:
    return {
        f"{table.name}.{column.name}": column.values.tolist()
        for table in chunk.tables()
        for column in table.columns
    }


def test_the_same_seed_gives_the_same_chunk():
    world, names = _world(), NamePool()
    first = generate_chunk(np.random.default_rng([1, 0]), world, names, 1, 200)
    again = generate_chunk(np.random.default_rng([1, 0]), world, names, 1, 200)
    assert _columns(first) == _columns(again)


def test_transactions_are_in_customer_and_time_order_inside_the_window():
    chunk = generate_chunk(np.random.default_rng(3), _world(), NamePool(), 1, 500)
    columns = {c.name: c.values for c in chunk.transactions.columns}
    key = np.lexsort((columns["occurred_at"], columns["customer_id"]))
    assert (key == np.arange(key.size)).all()
    assert columns["occurred_at"].min() >= _world().start
    assert columns["occurred_at"].max() < END


def test_about_twenty_purchases_per_customer_over_two_years():
    world = _world()
    world = replace(world, start=int(END - 24 * MONTH))
    chunk = generate_chunk(np.random.default_rng(4), world, NamePool(), 1, 20_000)
    assert 17 < len(chunk.transactions) / 20_000 < 23
