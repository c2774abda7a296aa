"""The analytics dashboard on a store: response time for the whole company and one branch.

Reads the store of ``GUANXI_DATA_DIR`` (or ``DATABASE_URL``) after ``guanxi analyze`` and
leaves it as it is: the viewers (an analyst for the company, a branch manager of the branch
with the most customers) are made for the run inside a transaction rolled back at the end.
Each read of ``/analytics/`` goes through Django's test client (routing, session, policy,
queries, template), once to warm up, then ``--repeat`` times:

    GUANXI_DATA_DIR=/path/to/data .venv/bin/python benchmarks/dashboard.py
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/dashboard.py --repeat 30

Targets (issue 10, performance): the whole company <= 1 s, one branch <= 300 ms, at
1,000,000 customers.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout, not an installed package
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")

from benchmarks.customer_reads import machine_speed_ms  # noqa: E402
from benchmarks.process_kpis import time_reads  # noqa: E402

TARGET_MS = {"company": 1000, "branch": 300}


def main() -> None:
    """Parse options, make the two viewers, time the dashboard for each, print p50/p95."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client

    from guanxi.insights.models import AnalysisRun
    from guanxi.org.models import Branch

    if AnalysisRun.objects.latest_finished_id() is None:
        raise SystemExit("no finished analysis run in this store: run guanxi analyze first")
    branch = Branch.objects.annotate(n=Count("customers")).order_by("-n", "code").first()
    print(
        f"{connection.vendor}; machine speed {machine_speed_ms()} ms, load {os.getloadavg()[0]:.1f}"
    )
    with transaction.atomic():
        for scope, role in (("company", "analyst"), ("branch", "branch_manager")):
            client = Client()
            client.force_login(
                _viewer(role, branch), backend="django.contrib.auth.backends.ModelBackend"
            )
            p50, p95 = time_reads(client, "/analytics/", {}, args.repeat)
            where = "" if scope == "company" else f" {branch.code} ({branch.n:,} customers)"
            print(
                f"  {scope}{where}: p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
                f"  (target {TARGET_MS[scope]} ms)"
            )
        transaction.set_rollback(True)


def _viewer(role: str, branch):
    """A member of staff of ``role`` (of ``branch`` for a branch manager), made for the run."""
    from django.contrib.auth.models import User

    from guanxi.org.models import Profile

    user = User.objects.create(username=f"dashboard-benchmark-{role}", password="!")
    Profile.objects.create(
        user=user, roles=[role], branch=branch if role == "branch_manager" else None
    )
    return user


if __name__ == "__main__":
    main()
