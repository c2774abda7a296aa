"""The demo company: branches in real cities, teams, account managers and the catalogue.

These are a few hundred rows at most, so they go through the ORM; generated account
managers get unusable passwords (hashing hundreds of passwords would take minutes and
nobody logs in as them — ``guanxi demo`` creates the users people log in with).
"""

from dataclasses import dataclass

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from guanxi.customers.models import Product
from guanxi.demo.industries import Industry
from guanxi.demo.labels import Labels, ensure_labels
from guanxi.demo.names import NamePool
from guanxi.demo.places import CITIES
from guanxi.org.models import Branch, Company, Profile, Team
from guanxi.org.roles import Role

CUSTOMERS_PER_MANAGER = 3000
MANAGERS_PER_BRANCH_MIN = 2


@dataclass(frozen=True)
class World:
    """Everything generated customers refer to: time window, branches, managers, products,
    tags and groups."""

    industry: Industry
    start: int
    end: int
    branch_ids: np.ndarray
    branch_cities: np.ndarray  # index into CITIES
    manager_ids: np.ndarray  # account managers' user ids, grouped by branch
    manager_starts: np.ndarray  # per branch: index of its first manager in manager_ids
    manager_counts: np.ndarray
    product_ids: np.ndarray  # aligned with industry.products
    labels: Labels


def branch_count(customers: int) -> int:
    """More branches for bigger banks: three for a small demo, every city at a million."""
    return int(np.clip(round(customers**0.5 / 30), 3, len(CITIES)))


def manager_counts(customers: int, branches: int) -> np.ndarray:
    """Account managers per branch: about one per 3,000 customers, at least two per branch."""
    weights = np.array([c.weight for c in CITIES[:branches]])
    total = customers / CUSTOMERS_PER_MANAGER
    return np.maximum(MANAGERS_PER_BRANCH_MIN, np.round(total * weights / weights.sum())).astype(
        int
    )


@transaction.atomic
def build_world(
    *, industry: Industry, customers: int, start: int, end: int, names: NamePool, seed: int
) -> World:
    """Create (or reuse) the company, its branches, teams, managers, products, tags and
    groups."""
    company, _ = Company.objects.get_or_create(
        name=industry.company, defaults={"industry": industry.key}
    )
    branches = []
    for city in CITIES[: branch_count(customers)]:
        branch, _ = Branch.objects.get_or_create(
            code=f"{industry.code}-{city.code}",
            defaults={
                "company": company,
                "name": f"{city.name}{industry.branch_suffix}",
                "city": city.name,
            },
        )
        branches.append(branch)
    counts = manager_counts(customers, len(branches))
    rng = np.random.default_rng([seed, 0xA11])
    managers = [
        _branch_managers(industry, branch, CITIES[i].code, int(counts[i]), names, rng)
        for i, branch in enumerate(branches)
    ]
    return World(
        industry=industry,
        start=start,
        end=end,
        branch_ids=np.array([b.pk for b in branches]),
        branch_cities=np.arange(len(branches)),
        manager_ids=np.concatenate(managers),
        manager_starts=np.cumsum(counts) - counts,
        manager_counts=counts,
        product_ids=_products(industry),
        labels=ensure_labels(industry, end, [(b.pk, b.name) for b in branches]),
    )


def _branch_managers(
    industry: Industry,
    branch: Branch,
    city_code: str,
    count: int,
    names: NamePool,
    rng: np.random.Generator,
) -> np.ndarray:
    """User ids of a branch's account managers, creating those that do not exist yet."""
    teams = [Team.objects.get_or_create(branch=branch, name=name)[0] for name in industry.teams]
    usernames = [f"{industry.code}-am-{city_code}-{k + 1:03d}".lower() for k in range(count)]
    user_model = get_user_model()
    existing = set(
        user_model.objects.filter(username__in=usernames).values_list("username", flat=True)
    )
    missing = [u for u in usernames if u not in existing]
    surnames, given = names.draw(rng, rng.random(len(missing)) < 0.5)
    users = user_model.objects.bulk_create(
        [user_model(username=u, password=make_password(None)) for u in missing]
    )
    created = user_model.objects.filter(username__in=missing).in_bulk(field_name="username")
    Profile.objects.bulk_create(
        Profile(
            user=created[user.username],
            display_name=f"{surname}{first}",
            branch=branch,
            team=teams[k % len(teams)],
            # The first account manager of each team leads it (team scope in the demo).
            roles=[Role.ACCOUNT_MANAGER.value] + ([Role.TEAM_LEAD.value] if k < len(teams) else []),
        )
        for k, (user, surname, first) in enumerate(zip(users, surnames, given, strict=True))
    )
    ids = user_model.objects.filter(username__in=usernames).order_by("username")
    return np.array(list(ids.values_list("pk", flat=True)), dtype=np.int64)


def _products(industry: Industry) -> np.ndarray:
    """Database ids of the industry's catalogue, creating missing products."""
    ids = []
    for spec in industry.products:
        product, _ = Product.objects.update_or_create(
            code=spec.code, defaults={"name": spec.name, "kind": spec.kind}
        )
        ids.append(product.pk)
    return np.array(ids, dtype=np.int64)
