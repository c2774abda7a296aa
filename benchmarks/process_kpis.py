"""Process-KPI page and API for one branch and one quarter: response time on a store.

Reads the store of ``GUANXI_DATA_DIR`` (or ``DATABASE_URL``) as it is and leaves it so.
The branch is the one with the most customers (or ``--branch CODE``); the viewer is a
branch manager of it, or else an analyst or administrator narrowing to it (``branch=``);
a store with neither (demo data has account managers and team leads only) gets an analyst
for the run, inside a transaction rolled back at the end.
The quarter is the one holding the newest done activity (or ``--quarter-of YYYY-MM-DD``).
Each read goes through Django's test client (routing, session or token, policy, queries,
template or JSON), first once to warm up, then ``--repeat`` times:

    GUANXI_DATA_DIR=/path/to/data .venv/bin/python benchmarks/process_kpis.py
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/process_kpis.py --repeat 30

Target (issue 11, performance): the process-KPI page for a branch and a quarter <= 1 s at
1,000,000 customers.
"""

import argparse
import datetime as dt
import os
import statistics
import time

TARGET_MS = 1000


def main() -> None:
    """Parse options, find the branch, viewer and quarter, time the reads, print p50/p95."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--branch", help="a branch code (default: the one with most customers)")
    parser.add_argument("--quarter-of", type=dt.date.fromisoformat, help="a day of the quarter")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    from django.db import transaction

    with transaction.atomic():
        _run(args)
        transaction.set_rollback(True)  # the analyst made for the run, if any


def _run(args) -> None:
    from django.db import connection
    from django.test import Client

    from guanxi.kpis.period import Period

    branch, user, narrow = _branch_and_viewer(args.branch)
    period = Period.preset("quarter", args.quarter_of or _newest_activity_day())
    query = {
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "group_by": "owner",
        **narrow,
    }
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    print(
        f"{connection.vendor}: {_customers():,} customers; branch {branch.code} "
        f"({_customers(branch):,} customers) as {user.get_username()}; "
        f"{period.start} to {period.end}"
    )
    for name, url in (("page", "/kpis/"), ("API", "/api/v1/kpis/process")):
        for group_by in ("owner", "team"):
            times = time_reads(client, url, {**query, "group_by": group_by}, args.repeat)
            print(
                f"  {name:<4} by {group_by:<5} p50 {times[0]:7.1f} ms  p95 {times[1]:7.1f} ms"
                f"  (target {TARGET_MS} ms)"
            )


def _customers(branch=None) -> int:
    from guanxi.customers.models import Customer

    found = Customer.objects.all() if branch is None else Customer.objects.filter(branch=branch)
    return found.count()


def _branch_and_viewer(code: str | None):
    """The branch, a user who reads its figures, and the query narrowing to it (if needed)."""
    from django.db.models import Count

    from guanxi.org.models import Branch, Profile
    from guanxi.org.roles import Role

    branches = Branch.objects.annotate(n=Count("customers")).order_by("-n", "code")
    branch = branches.get(code=code) if code else branches.first()
    if branch is None:
        raise SystemExit("no branch in this store: generate demo data first")
    for profile in Profile.objects.filter(branch=branch, user__is_active=True):
        if Role.BRANCH_MANAGER in profile.roles:
            return branch, profile.user, {}
    for profile in Profile.objects.filter(user__is_active=True).select_related("user"):
        if {Role.ANALYST, Role.ADMINISTRATOR} & set(profile.roles):
            return branch, profile.user, {"branch": str(branch.pk)}
    from django.contrib.auth.models import User

    analyst = User.objects.create(username="process-kpi-benchmark", password="!")
    Profile.objects.create(user=analyst, roles=[Role.ANALYST])
    return branch, analyst, {"branch": str(branch.pk)}


def _newest_activity_day() -> dt.date:
    from django.db.models import Max
    from django.utils import timezone

    from guanxi.activities.models import Activity

    newest = Activity.objects.filter(status="done").aggregate(at=Max("starts_at"))["at"]
    return timezone.localdate(newest) if newest else timezone.localdate()


def time_reads(client, url: str, query: dict, repeat: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds, after one warm-up read."""
    assert client.get(url, query).status_code == 200
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, query)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


if __name__ == "__main__":
    main()
