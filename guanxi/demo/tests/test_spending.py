"""Purchase amounts suit the spend model the analytics fit on them."""

from dataclasses import replace

import ibis
import numpy as np

from guanxi.analytics.clv.gammagamma import GammaGammaFitter
from guanxi.analytics.summary import customer_summary
from guanxi.demo.behaviour import MONTH
from guanxi.demo.chunk import generate_chunk
from guanxi.demo.names import NamePool
from guanxi.demo.tests.test_chunk import END, _world


def test_gamma_gamma_fits_the_demo_spending_without_falling_back():
    world = replace(_world(), start=int(END - 24 * MONTH))
    chunk = generate_chunk(np.random.default_rng([11, 0]), world, NamePool(), 1, 3000)
    transactions = ibis.memtable(chunk.transactions.arrow())
    summary = customer_summary(
        transactions, time_col="occurred_at", amount_col="amount", time_unit="week"
    ).to_pyarrow()
    frequency = summary["frequency"].to_numpy()
    value = summary["monetary_value"].to_numpy()
    repeat = (frequency > 0) & (value > 0)
    # The analytics fall back to each customer's own mean when the fit finds q <= 1.
    model = GammaGammaFitter().fit(frequency[repeat], value[repeat])
    assert model.params_["q"] > 1.1
