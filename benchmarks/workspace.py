"""The account manager's workspace at scale: my day, the team's pipeline board, the 360.

Runs in-process with Django's test client (URL routing, session, policy, queries, template,
audit entries of personal-data reads), on an existing database such as the one
``guanxi demo-data --customers 1000000 --leads 200000 --opportunities 500000
--activities 5000000`` writes. Each user is logged in once; every timed request is a fresh
request of the page or endpoint, after two untimed warm-up requests per kind:

* ``my_day_page`` and ``my_day_api`` — an account manager's my day (``/activities/my-day/``,
  ``GET /api/v1/my-day``), a different account manager each time;
* ``board`` — the pipeline board (``/sales/board/``) of a team lead, whose scope is their team;
* ``timeline_360`` and ``customer_api`` — the 360 page (``/customers/<id>/``, whose timeline
  carries the activities) and ``GET /api/v1/customers/<id>`` of a customer with activities,
  as the customer's account manager.

    GUANXI_DATA_DIR=/work/bench/1m .venv/bin/python benchmarks/workspace.py
    DATABASE_URL=postgres://postgres@127.0.0.1/guanxi_1m .venv/bin/python benchmarks/workspace.py

Targets (issue 11): my day p95 <= 100 ms, the board of one team p95 <= 150 ms, the 360
timeline with activities p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, not an installed package
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
os.environ.setdefault("GUANXI_ALLOWED_HOSTS", "testserver")

from benchmarks.customer_reads import machine_speed_ms, percentile  # noqa: E402

TARGETS_MS = {
    "my_day_page": 100,
    "my_day_api": 100,
    "board": 150,
    "timeline_360": 50,
    "customer_api": 50,
}


def main() -> None:
    """Parse options, pick users and customers, time each kind, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50, help="timed requests per kind")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from guanxi.activities.models import Activity
    from guanxi.org.models import Profile
    from guanxi.org.roles import Role

    rng = random.Random(args.seed)
    profiles = list(Profile.objects.select_related("user").filter(user__is_active=True))
    managers = [p.user for p in profiles if Role.ACCOUNT_MANAGER.value in p.roles]
    leads = [p.user for p in profiles if Role.TEAM_LEAD.value in p.roles and p.team_id]
    if not managers or not leads:
        sys.exit("no account managers or team leads: run guanxi demo-data first")

    clients: dict[int, Client] = {}

    def client_of(user) -> Client:
        if user.pk not in clients:
            client = Client()
            client.force_login(user)
            clients[user.pk] = client
        return clients[user.pk]

    def customers_with_activities(count: int) -> list[tuple[int, object]]:
        """(customer id, owner) of random customers with activities, found by activity id."""
        top = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        picked: dict[int, int] = {}
        while len(picked) < count and top:
            ids = [rng.randint(1, top) for _ in range(count * 2)]
            for customer_id, owner_id in Activity.objects.filter(
                pk__in=ids, customer__owner__isnull=False
            ).values_list("customer_id", "customer__owner_id"):
                picked.setdefault(customer_id, owner_id)
        owners = {u.pk: u for u in managers}
        return [(c, owners[o]) for c, o in list(picked.items())[:count] if o in owners]

    n = args.samples + 2
    requests = {
        "my_day_page": [(rng.choice(managers), "/activities/my-day/") for _ in range(n)],
        "my_day_api": [(rng.choice(managers), "/api/v1/my-day") for _ in range(n)],
        "board": [(rng.choice(leads), "/sales/board/") for _ in range(n)],
    }
    customers = customers_with_activities(n)
    requests["timeline_360"] = [(owner, f"/customers/{c}/") for c, owner in customers]
    requests["customer_api"] = [(owner, f"/api/v1/customers/{c}") for c, owner in customers]

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"machine speed {machine_speed_ms()} ms, load {os.getloadavg()[0]:.1f}")
    print(f"new churn warnings of the latest run (my day's churn section): {new_warnings():,}")
    for kind, batch in requests.items():
        timings = []
        for number, (user, path) in enumerate(batch):
            client = client_of(user)
            began = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - began) * 1000
            if response.status_code != 200:
                sys.exit(f"{kind}: {path} answered {response.status_code}")
            if number >= 2:
                timings.append(elapsed)
        p95 = percentile(timings, 95)
        verdict = "meets" if p95 <= TARGETS_MS[kind] else "misses"
        print(
            f"{kind:>13}: p50 {statistics.median(timings):7.1f} ms, p95 {p95:7.1f} ms,"
            f" max {max(timings):7.1f} ms ({len(timings)} requests;"
            f" {verdict} the {TARGETS_MS[kind]} ms target)"
        )
    print(f"machine speed {machine_speed_ms()} ms, load {os.getloadavg()[0]:.1f}")


def new_warnings() -> int:
    """How many customers the latest finished run newly warns about."""
    from guanxi.insights.models import AnalysisRun, NewChurnWarning

    run = AnalysisRun.objects.latest_finished_id()
    return NewChurnWarning.objects.filter(run_id=run).count() if run else 0


if __name__ == "__main__":
    main()
