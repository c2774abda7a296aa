"""One chunk of demo data: customers with their holdings, contacts, lifecycle and transactions."""

from dataclasses import dataclass

import numpy as np

from guanxi.customers.models import (
    Contact,
    Customer,
    Holding,
    LifecycleChange,
    LifecycleStatus,
    Transaction,
)
from guanxi.demo.behaviour import DAY, Behaviour, simulate_purchases
from guanxi.demo.identities import mobile_numbers
from guanxi.demo.industries import CONTACT_TITLES
from guanxi.demo.lifecycle import lifecycles, value_tiers
from guanxi.demo.names import NamePool
from guanxi.demo.organisation import World
from guanxi.demo.population import Customers, draw_customers, kinds
from guanxi.demo.spending import Spending, draw_holdings, draw_spending
from guanxi.demo.tables import Kind, Table

CLOSE_AFTER_DAYS = (30, 200)  # lost customers close their accounts this long after leaving


@dataclass
class Chunk:
    """The tables of one chunk, in the order they must be written."""

    customers: Table
    holdings: Table
    contacts: Table
    lifecycle: Table
    transactions: Table
    product_codes: np.ndarray  # per transaction, for the Parquet export
    channels: np.ndarray  # per transaction, for the Parquet export

    def tables(self) -> list[Table]:
        """Tables in foreign-key order."""
        return [self.customers, self.holdings, self.contacts, self.lifecycle, self.transactions]


def generate_chunk(
    rng: np.random.Generator, world: World, names: NamePool, first_id: int, size: int
) -> Chunk:
    """Generate ``size`` customers from id ``first_id`` and everything that hangs off them."""
    people = draw_customers(rng, world, names, first_id, size)
    purchases = simulate_purchases(rng, people.created_at, world.start, world.end, Behaviour())
    holds = draw_holdings(rng, world.industry, size)
    spending = draw_spending(rng, world.industry, purchases, holds, people.spend_level, people.age)
    revenue = np.bincount(purchases.owner, weights=spending.cents, minlength=size)
    revenue = np.round(revenue).astype(np.int64)
    first, last = _first_and_last_positive(purchases.owner, purchases.at, spending.cents, size)
    count = np.bincount(purchases.owner, minlength=size)
    life = lifecycles(purchases, last, world.end)
    channel_names = np.array([str(c) for c in world.industry.channels], dtype=object)
    codes = np.array([p.code for p in world.industry.products], dtype=object)
    return Chunk(
        customers=_customer_table(
            world, people, Totals(revenue, count, first, last), life.status, value_tiers(revenue)
        ),
        holdings=_holding_table(rng, world, people, holds, life.status, last),
        contacts=_contact_table(rng, names, people),
        lifecycle=_lifecycle_table(people, life),
        transactions=_transaction_table(world, people, purchases, spending, channel_names),
        product_codes=codes[spending.product],
        channels=channel_names[spending.channel],
    )


def _first_and_last_positive(owner, at, cents, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Times of each customer's first and last purchase that was not a refund (0 if none)."""
    first = np.zeros(size, dtype=np.int64)
    last = np.zeros(size, dtype=np.int64)
    positive = cents > 0
    # Purchases are sorted by customer and time: in fancy assignment the last write wins.
    last[owner[positive]] = at[positive]
    first[owner[positive][::-1]] = at[positive][::-1]
    return first, last


@dataclass
class Totals:
    """Each customer's running transaction totals, as the customer row keeps them."""

    revenue: np.ndarray  # cents
    count: np.ndarray
    first: np.ndarray  # 0: no purchase
    last: np.ndarray


def _customer_table(world: World, people: Customers, totals: Totals, status, tiers) -> Table:
    t = Table(Customer)
    t.add("id", Kind.INT, people.id)
    t.add("kind", Kind.TEXT, kinds(people))
    t.add("name", Kind.TEXT, people.name)
    t.add("name_pinyin", Kind.TEXT, np.array(people.name_pinyin, dtype=object))
    t.add("name_initials", Kind.TEXT, np.array(people.name_initials, dtype=object))
    t.add("gender", Kind.TEXT, people.gender)
    t.add("birthday", Kind.DATE, people.birthday, null=people.organisation)
    t.add("id_number", Kind.TEXT, people.id_number)
    t.add("phone", Kind.TEXT, people.phone)
    t.add("phone_last4", Kind.TEXT, people.phone_last4)
    t.add("email", Kind.TEXT, people.email)
    t.add("address", Kind.TEXT, people.address)
    t.add("occupation", Kind.TEXT, people.occupation)
    external = [f"{world.industry.code}{i:010d}" for i in people.id.tolist()]
    t.add("external_id", Kind.TEXT, np.array(external, dtype=object))
    t.add("source_channel", Kind.TEXT, people.source_channel)
    # No registrations are generated: the columns are filled as the migration left them.
    t.add("uscc", Kind.TEXT, "")
    t.add("legal_representative", Kind.TEXT, "")
    t.add("registered_capital", Kind.MONEY, 0, null=np.ones(len(t), dtype=bool))
    t.add("industry", Kind.TEXT, "")
    t.add("branch_id", Kind.INT, world.branch_ids[people.branch])
    t.add("owner_id", Kind.INT, people.owner, null=people.owner == 0)
    t.add("status", Kind.TEXT, status)
    t.add("value_tier", Kind.TEXT, tiers)
    t.add("custom_fields", Kind.TEXT, "{}")
    t.add("lifetime_revenue", Kind.MONEY, totals.revenue)
    t.add("transaction_count", Kind.INT, totals.count)
    t.add("first_purchase_at", Kind.TIMESTAMP, totals.first, null=totals.first == 0)
    t.add("last_purchase_at", Kind.TIMESTAMP, totals.last, null=totals.last == 0)
    t.add("created_at", Kind.TIMESTAMP, people.created_at)
    t.add("updated_at", Kind.TIMESTAMP, world.end)
    t.add("version", Kind.INT, 1)
    return t


def _holding_table(rng, world: World, people: Customers, holds, status, last) -> Table:
    """Accounts opened when the customer joined; lost customers closed theirs after leaving."""
    owner, product = np.nonzero(holds)
    specs = world.industry.products
    level = people.spend_level[owner]
    factor = np.array([p.balance_factor * p.price for p in specs])[product]
    balance = np.round(factor * np.exp(level + rng.normal(0, 0.5, owner.size)) * 100)
    days = rng.integers(*CLOSE_AFTER_DAYS, owner.size)
    closed_on = np.minimum(last[owner] // DAY + days, world.end // DAY - 1)
    closed = status[owner] == LifecycleStatus.LOST.value
    numbers = [
        f"{world.industry.code}{p:02d}{c:012d}"
        for p, c in zip(product.tolist(), people.id[owner].tolist(), strict=True)
    ]
    t = Table(Holding)
    t.add("customer_id", Kind.INT, people.id[owner])
    t.add("product_id", Kind.INT, world.product_ids[product])
    t.add("account_number", Kind.TEXT, np.array(numbers, dtype=object))
    t.add("opened_at", Kind.DATE, people.created_at[owner] // DAY)
    t.add("closed_at", Kind.DATE, closed_on, null=~closed)
    t.add("balance", Kind.MONEY, np.where(closed, 0, balance).astype(np.int64))
    return t


def _contact_table(rng, names: NamePool, people: Customers) -> Table:
    """One to three contact people per organisation; the first is the primary contact."""
    organisations = np.flatnonzero(people.organisation)
    per = rng.integers(1, 4, organisations.size)
    row = np.repeat(organisations, per)
    primary = np.zeros(row.size, dtype=bool)
    primary[np.cumsum(per) - per] = True
    surnames, given = names.draw(rng, rng.random(row.size) < 0.5)
    pinyin, _initials = names.person_keys(surnames, given)
    phone, _last4 = mobile_numbers(rng, row.size)
    titles = np.array(CONTACT_TITLES, dtype=object)
    domain = [e.split("@", 1)[1] for e in people.email[row].tolist()]
    email = [f"{p}@{d}" for p, d in zip(pinyin, domain, strict=True)]
    t = Table(Contact)
    t.add("customer_id", Kind.INT, people.id[row])
    t.add("name", Kind.TEXT, surnames + given)
    t.add("title", Kind.TEXT, titles[rng.integers(0, titles.size, row.size)])
    t.add("phone", Kind.TEXT, phone)
    t.add("email", Kind.TEXT, np.array(email, dtype=object))
    t.add("is_primary", Kind.BOOL, primary)
    t.add("version", Kind.INT, 1)
    return t


def _lifecycle_table(people: Customers, life) -> Table:
    """The latest lifecycle move of every customer who has moved beyond prospect."""
    moved = life.changed_at >= 0
    t = Table(LifecycleChange)
    t.add("customer_id", Kind.INT, people.id[moved])
    t.add("from_status", Kind.TEXT, life.from_status[moved])
    t.add("to_status", Kind.TEXT, life.status[moved])
    t.add("reason", Kind.TEXT, life.reason[moved])
    t.add("changed_at", Kind.TIMESTAMP, life.changed_at[moved])
    return t


def _transaction_table(
    world: World, people: Customers, purchases, spending: Spending, channels
) -> Table:
    t = Table(Transaction)
    t.add("customer_id", Kind.INT, people.id[purchases.owner])
    t.add("product_id", Kind.INT, world.product_ids[spending.product])
    t.add("amount", Kind.MONEY, spending.cents)
    t.add("channel", Kind.TEXT, channels[spending.channel])
    t.add("occurred_at", Kind.TIMESTAMP, purchases.at)
    return t
