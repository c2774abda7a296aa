"""Who the customers are: people (about 95%) and organisations, with identity and profile data."""

from dataclasses import dataclass
from functools import cache

import numpy as np
from faker.providers.job.zh_CN import Provider as JobProvider

from guanxi.customers.models import CustomerKind, Gender
from guanxi.demo.behaviour import DAY
from guanxi.demo.identities import mobile_numbers, personal_emails, resident_ids
from guanxi.demo.industries import BRAND_CHARACTERS, BUSINESSES, EMAIL_DOMAINS, LEGAL_FORMS
from guanxi.demo.names import NamePool, compose_keys
from guanxi.demo.organisation import World
from guanxi.demo.places import CITIES, STREETS
from guanxi.demo.regions import region_table

ORGANISATION_SHARE = 0.05
EMAIL_SHARE = 0.45
UNASSIGNED_SHARE = 0.15  # mass-market people without a named account manager
PRE_WINDOW_SHARE = 0.55  # customers who joined before the transaction history starts
HISTORY_YEARS = 8
ADULT_AGE = 18
YEAR = 365.25 * DAY
# How much customers' purchase amounts differ (log scale). Wealth differs far more, but that
# shows in balances (see balances.py): what one card purchase costs varies less from person
# to person, and the spend model (Gamma-Gamma) needs a finite mean spend to fit.
SPEND_LEVEL_SPREAD = 0.5


@dataclass
class Customers:
    """Column arrays of a chunk of customers (one entry per customer)."""

    id: np.ndarray
    organisation: np.ndarray
    name: np.ndarray
    name_pinyin: list[str]
    name_initials: list[str]
    gender: np.ndarray
    birthday: np.ndarray  # days since the epoch; meaningless for organisations
    age: np.ndarray
    id_number: np.ndarray
    phone: np.ndarray
    phone_last4: np.ndarray
    email: np.ndarray
    address: np.ndarray
    occupation: np.ndarray
    source_channel: np.ndarray
    branch: np.ndarray  # index into World.branch_ids
    owner: np.ndarray  # user id, 0 for none
    created_at: np.ndarray  # epoch seconds
    spend_level: np.ndarray  # log multiplier of this customer's transaction amounts


def draw_customers(
    rng: np.random.Generator, world: World, names: NamePool, first_id: int, size: int
) -> Customers:
    """A chunk of customers with consecutive ids starting at ``first_id``."""
    organisation = rng.random(size) < ORGANISATION_SHARE
    branch = _weighted(rng, np.array([CITIES[c].weight for c in world.branch_cities]), size)
    city = world.branch_cities[branch]
    male = rng.random(size) < 0.5
    age = np.clip(rng.normal(42, 13, size), ADULT_AGE, 85)
    birthday = ((world.end - age * YEAR) // DAY - rng.integers(0, 365, size)).astype(np.int64)
    people = np.flatnonzero(~organisation)
    person = _people(rng, names, city[people], male[people], birthday[people])
    company = _organisations(rng, names, city[organisation])
    phone, last4 = mobile_numbers(rng, size)
    return Customers(
        id=np.arange(first_id, first_id + size, dtype=np.int64),
        organisation=organisation,
        name=_merge(organisation, company.name, person.name),
        name_pinyin=_merge(organisation, company.pinyin, person.pinyin).tolist(),
        name_initials=_merge(organisation, company.initials, person.initials).tolist(),
        gender=np.where(
            organisation,
            Gender.UNKNOWN.value,
            np.where(male, Gender.MALE.value, Gender.FEMALE.value),
        ).astype(object),
        birthday=birthday,
        age=age,
        id_number=_merge(
            organisation, np.full(company.name.size, "", dtype=object), person.id_number
        ),
        phone=phone,
        phone_last4=last4,
        email=_merge(organisation, company.email, person.email),
        address=_addresses(rng, city, organisation),
        occupation=_merge(
            organisation, company.industry, _jobs()[rng.integers(0, _jobs().size, people.size)]
        ),
        source_channel=_sources(rng, world, size),
        branch=branch,
        owner=_owners(rng, world, branch, organisation),
        created_at=_joined(rng, world, birthday, organisation),
        spend_level=rng.normal(0.0, SPEND_LEVEL_SPREAD, size) + np.where(organisation, 1.0, 0.0),
    )


def kinds(customers: Customers) -> np.ndarray:
    """The ``kind`` column."""
    return np.where(
        customers.organisation, CustomerKind.ORGANISATION.value, CustomerKind.INDIVIDUAL.value
    )


@dataclass
class _People:
    name: np.ndarray
    pinyin: np.ndarray
    initials: np.ndarray
    id_number: np.ndarray
    email: np.ndarray


def _people(rng, names: NamePool, city, male, birthday) -> _People:
    """Names, resident IDs (birthplace valid in the birth year) and some email addresses."""
    surnames, given = names.draw(rng, male)
    pinyin, initials = names.person_keys(surnames, given)
    born = birthday.astype("datetime64[D]")
    year = born.astype("datetime64[Y]").astype(np.int64) + 1970
    regions = region_table()
    city_rows = [regions.rows_under(c.region_prefix) for c in CITIES]
    region = regions.draw_birthplaces(rng, city_rows=city_rows, city=city, year=year)
    email = np.full(male.size, "", dtype=object)
    with_email = np.flatnonzero(rng.random(male.size) < EMAIL_SHARE)
    email[with_email] = personal_emails(
        rng, [pinyin[i] for i in with_email.tolist()], year[with_email], EMAIL_DOMAINS
    )
    return _People(
        name=surnames + given,
        pinyin=np.array(pinyin, dtype=object),
        initials=np.array(initials, dtype=object),
        id_number=resident_ids(region, born, male, rng),
        email=email,
    )


@dataclass
class _Organisations:
    name: np.ndarray
    pinyin: np.ndarray
    initials: np.ndarray
    email: np.ndarray
    industry: np.ndarray


def _organisations(rng, names: NamePool, city) -> _Organisations:
    """Company names such as 杭州瑞丰科技有限公司, with a company mailbox and industry."""
    size = city.size
    brand_chars = np.array(list(BRAND_CHARACTERS), dtype=object)
    brand = (
        brand_chars[rng.integers(0, brand_chars.size, size)]
        + brand_chars[rng.integers(0, brand_chars.size, size)]
    )
    business = rng.integers(0, len(BUSINESSES), size)
    forms, form_weights = zip(*LEGAL_FORMS, strict=True)
    form = np.array(forms, dtype=object)[_weighted(rng, np.array(form_weights), size)]
    words = np.array([b[0] for b in BUSINESSES], dtype=object)[business]
    city_names = np.array([c.name for c in CITIES], dtype=object)[city]
    pieces = [list(row) for row in zip(city_names, brand, words, form, strict=True)]
    pinyin, initials = compose_keys(pieces, names.keys)
    brand_pinyin = [names.keys.of(b)[0] for b in brand.tolist()]
    mailbox = np.array(["info", "service", "contact", "finance", "office"], dtype=object)
    email = mailbox[rng.integers(0, mailbox.size, size)] + "@" + np.array(brand_pinyin) + ".com.cn"
    return _Organisations(
        name=city_names + brand + words + form,
        pinyin=np.array(pinyin, dtype=object),
        initials=np.array(initials, dtype=object),
        email=email.astype(object),
        industry=np.array([b[1] for b in BUSINESSES], dtype=object)[business],
    )


def _addresses(rng, city: np.ndarray, organisation: np.ndarray) -> np.ndarray:
    """Street addresses in the branch's city: district, street, number, flat or floor."""
    regions = region_table()
    size = city.size
    district = np.empty(size, dtype=object)
    for index, c in enumerate(CITIES):
        rows = np.flatnonzero(city == index)
        choices = np.array(regions.current_districts(c.region_prefix), dtype=object)
        district[rows] = choices[rng.integers(0, choices.size, rows.size)]
    prefix = np.array([c.address_prefix for c in CITIES], dtype=object)[city]
    street = np.array(STREETS, dtype=object)[rng.integers(0, len(STREETS), size)]
    number = rng.integers(1, 400, size).astype(str).astype(object)
    flat = (
        rng.integers(1, 30, size).astype(str).astype(object)
        + "栋"
        + (rng.integers(1, 33, size) * 100 + rng.integers(1, 9, size)).astype(str).astype(object)
        + "室"
    )
    floor = rng.integers(2, 40, size).astype(str).astype(object) + "层"
    return prefix + district + street + number + "号" + np.where(organisation, floor, flat)


@cache
def _jobs() -> np.ndarray:
    """Faker's zh_CN occupations, without the uninformative '其他'."""
    return np.array([j for j in JobProvider.jobs if j != "其他"], dtype=object)


def _sources(rng, world: World, size: int) -> np.ndarray:
    channels, weights = zip(*world.industry.sources.items(), strict=True)
    return np.array([str(c) for c in channels], dtype=object)[
        _weighted(rng, np.array(weights), size)
    ]


def _owners(rng, world: World, branch: np.ndarray, organisation: np.ndarray) -> np.ndarray:
    """A random account manager of the customer's branch; 0 (none) for some people."""
    offset = (rng.random(branch.size) * world.manager_counts[branch]).astype(np.int64)
    owner = world.manager_ids[world.manager_starts[branch] + offset]
    unassigned = ~organisation & (rng.random(branch.size) < UNASSIGNED_SHARE)
    return np.where(unassigned, 0, owner)


def _joined(rng, world: World, birthday: np.ndarray, organisation: np.ndarray) -> np.ndarray:
    """When each customer joined: years before the history starts, or during it.

    People join at 18 at the earliest (everyone is at least 18 by ``world.end``).
    """
    size = birthday.size
    before = world.start - rng.random(size) * HISTORY_YEARS * YEAR
    during = world.start + rng.random(size) * (world.end - world.start)
    joined = np.where(rng.random(size) < PRE_WINDOW_SHARE, before, during)
    adult = birthday * DAY + ADULT_AGE * YEAR
    return np.where(organisation, joined, np.maximum(joined, adult)).astype(np.int64)


def _weighted(rng, weights: np.ndarray, size: int) -> np.ndarray:
    return rng.choice(weights.size, size, p=weights / weights.sum())


def _merge(organisation: np.ndarray, for_organisations, for_people) -> np.ndarray:
    """One column from the values drawn for organisations and for people, in row order."""
    merged = np.empty(organisation.size, dtype=object)
    merged[organisation] = for_organisations
    merged[~organisation] = for_people
    return merged
