"""One chunk of demo data: customers with their holdings, contacts, lifecycle, transactions,
tags and group memberships."""

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
from guanxi.demo.balances import assets_under_management, draw_balances, draw_wealth
from guanxi.demo.behaviour import DAY, Behaviour, Purchases, simulate_purchases
from guanxi.demo.identities import mobile_numbers
from guanxi.demo.industries import CONTACT_TITLES
from guanxi.demo.labels import Facts, label_tables
from guanxi.demo.lifecycle import Lifecycle, lifecycles, value_tiers
from guanxi.demo.names import NamePool
from guanxi.demo.organisation import World
from guanxi.demo.population import Customers, draw_customers, kinds
from guanxi.demo.refunds import Ledger, draw_refunds, ledger
from guanxi.demo.spending import draw_holdings, draw_spending
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
    tags: Table
    memberships: Table
    product_codes: np.ndarray  # per transaction, for the Parquet export
    channels: np.ndarray  # per transaction, for the Parquet export
    stopped: np.ndarray  # per customer, for the truth file (guanxi.demo.truth)

    def tables(self) -> list[Table]:
        """Tables in foreign-key order."""
        return [
            self.customers,
            self.holdings,
            self.contacts,
            self.lifecycle,
            self.transactions,
            self.tags,
            self.memberships,
        ]


def generate_chunk(
    rng: np.random.Generator, world: World, names: NamePool, first_id: int, size: int
) -> Chunk:
    """Generate ``size`` customers from id ``first_id`` and everything that hangs off them.

    The customers and their purchase times are drawn first, from the start of ``rng``, so
    everything drawn after them (amounts, refunds, balances, tags) leaves who buys when, and
    who stops buying, as the seed made it.
    """
    people = draw_customers(rng, world, names, first_id, size)
    purchases = simulate_purchases(rng, people.created_at, world.start, world.end, Behaviour())
    holds = draw_holdings(rng, world.industry, size)
    spending = draw_spending(rng, world.industry, purchases, holds, people.spend_level, people.age)
    refunds = draw_refunds(rng, world.industry, purchases, spending, world.end)
    log = ledger(purchases, spending, refunds)
    revenue = np.round(np.bincount(log.owner, weights=log.cents, minlength=size)).astype(np.int64)
    first, last = _first_and_last_purchase(purchases)
    count = np.bincount(log.owner, minlength=size)
    life = lifecycles(purchases, world.end)
    tiers = value_tiers(revenue)
    holdings, aum = _holding_table(rng, world, people, holds, life.status, last)
    channel_names = np.array([str(c) for c in world.industry.channels], dtype=object)
    codes = np.array([p.code for p in world.industry.products], dtype=object)
    contacts = _contact_table(rng, names, people)
    facts = Facts(
        organisation=people.organisation,
        age=people.age,
        status=life.status,
        tier=tiers,
        holds=holds & (life.status != LifecycleStatus.LOST.value)[:, None],
        aum=aum,
        refunded=np.bincount(refunds.owner, minlength=size) > 0,
    )
    tags, memberships = label_tables(rng, world.industry, world.labels, people.id, facts, world.end)
    return Chunk(
        customers=_customer_table(
            world, people, Totals(revenue, count, first, last), life.status, tiers
        ),
        holdings=holdings,
        contacts=contacts,
        lifecycle=_lifecycle_table(people, life),
        transactions=_transaction_table(world, people, log, channel_names),
        tags=tags,
        memberships=memberships,
        product_codes=codes[log.product],
        channels=channel_names[log.channel],
        stopped=purchases.stopped,
    )


def _first_and_last_purchase(purchases: Purchases) -> tuple[np.ndarray, np.ndarray]:
    """Times of each customer's first and last purchase (0 if none); refunds are not
    purchases."""
    first = np.zeros(purchases.counts.size, dtype=np.int64)
    last = np.zeros(purchases.counts.size, dtype=np.int64)
    bought = np.flatnonzero(purchases.counts)
    starts = purchases.starts[bought]
    first[bought] = purchases.at[starts]
    last[bought] = purchases.at[starts + purchases.counts[bought] - 1]
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


def _holding_table(
    rng, world: World, people: Customers, holds, status, last
) -> tuple[Table, np.ndarray]:
    """Accounts opened when the customer joined; lost customers closed theirs after leaving
    (a closed account holds nothing). Also each customer's AUM in cents."""
    owner, product = np.nonzero(holds)
    wealth = draw_wealth(rng, people.spend_level, people.organisation)
    balance = draw_balances(rng, world.industry, owner, product, wealth, people.spend_level)
    days = rng.integers(*CLOSE_AFTER_DAYS, owner.size)
    closed_on = np.minimum(last[owner] // DAY + days, world.end // DAY - 1)
    closed = status[owner] == LifecycleStatus.LOST.value
    balance = np.where(closed, 0, balance)
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
    t.add("balance", Kind.MONEY, balance)
    t.add("version", Kind.INT, 1)
    aum = assets_under_management(world.industry, owner, product, balance, people.id.size)
    return t, aum


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


def _lifecycle_table(people: Customers, life: Lifecycle) -> Table:
    """Every lifecycle move of every customer who has moved beyond prospect."""
    moves = life.moves
    t = Table(LifecycleChange)
    t.add("customer_id", Kind.INT, people.id[moves.owner])
    t.add("from_status", Kind.TEXT, moves.from_status)
    t.add("to_status", Kind.TEXT, moves.to_status)
    t.add("reason", Kind.TEXT, moves.reason)
    t.add("changed_at", Kind.TIMESTAMP, moves.at)
    return t


def _transaction_table(world: World, people: Customers, log: Ledger, channels) -> Table:
    t = Table(Transaction)
    t.add("customer_id", Kind.INT, people.id[log.owner])
    t.add("product_id", Kind.INT, world.product_ids[log.product])
    t.add("amount", Kind.MONEY, log.cents)
    t.add("channel", Kind.TEXT, channels[log.channel])
    t.add("occurred_at", Kind.TIMESTAMP, log.at)
    return t
